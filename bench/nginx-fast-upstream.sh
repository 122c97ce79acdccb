# Sourced by bench/execute.sh and bench/execute-ceilings.sh: nginx and wrk from apt if missing, and one nginx worker
# serving the fast upstream (GET /fast on 127.0.0.1:$UPSTREAM_PORT) and reverse-proxying it (127.0.0.1:$PROXY_PORT).
# Needs WORK, UPSTREAM_PORT and PROXY_PORT set.

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
    as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nginx-light wrk >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

nginx_start() {
    cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    upstream fast { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
    server {
        listen 127.0.0.1:$UPSTREAM_PORT;
        location /fast { default_type application/json; return 200 '{"ok":true,"items":[1,2,3],"name":"fast upstream"}'; }
    }
    server {
        listen 127.0.0.1:$PROXY_PORT;
        location / { proxy_pass http://fast; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
NGINX
    "$NGINX" -c "$WORK/nginx.conf" -p "$WORK"
}

nginx_stop() { "$NGINX" -c "$WORK/nginx.conf" -p "$WORK" -s stop 2>/dev/null || true; }
