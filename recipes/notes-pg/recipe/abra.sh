# Versions of the swarm configs this recipe ships. Swarm configs are immutable:
# bump the matching version whenever one of these files changes, so a deploy
# creates a new config instead of failing to update the old one.
export ENTRYPOINT_VERSION=v1
export APP_ENTRYPOINT_VERSION=v1
export NGINX_CONF_VERSION=v1
export NOTES_CGI_VERSION=v1
