# Versions of the swarm configs this recipe ships. Swarm configs are immutable:
# bump the matching version whenever one of these files changes, so a deploy
# creates a new config instead of failing to update the old one.
export FORGE_ENTRYPOINT_VERSION=v1
export NGINX_CONF_VERSION=v1
export GIT_CGI_VERSION=v1
export LFS_SERVER_VERSION=v1
