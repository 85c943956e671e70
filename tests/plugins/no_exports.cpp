// A shared object that loads but is no plugin: it exports neither ccci's ABI
// version nor a factory (tests/integration/test_bad_input.cpp).
extern "C" int ccci_test_not_a_plugin() { return 42; }
