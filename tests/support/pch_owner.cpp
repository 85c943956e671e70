// The owner of the precompiled header the test executables share
// (tests/CMakeLists.txt): a target with none of their per-test definitions,
// since GCC refuses a PCH built with a macro its user does not define.
int main() { return 0; }
