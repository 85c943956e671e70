# Versions of the swarm configs this recipe ships. Swarm configs are immutable:
# bump the matching version whenever one of these files changes, so a deploy
# creates a new config instead of failing to update the old one.
export DB_ENTRYPOINT_VERSION=v1
export APP_ENTRYPOINT_VERSION=v1
export NGINX_CONF_VERSION=v1
export SHELF_CGI_VERSION=v1
export HEADER_HTML_VERSION=v1
export STATIC_ENTRYPOINT_VERSION=v1
export STATIC_CONF_VERSION=v1
export STYLE_CSS_VERSION=v1
