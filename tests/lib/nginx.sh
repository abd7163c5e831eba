# tests/lib/nginx.sh - start and stop a private nginx on loopback, for the
# integration tests, the benchmarks and the demo.  Source it, then:
#
#   nginx_start ROOT_DIR [CERT KEY]   serves ROOT_DIR on 127.0.0.1 on a free port
#                                     (HTTPS when CERT and KEY are given);
#                                     sets NGINX_PORT, NGINX_URL, NGINX_DIR
#   nginx_stop                        stops it and removes its state folder
#
# Extra server-block directives can be passed in NGINX_EXTRA (e.g. a
# redirect location), and the TLS settings in NGINX_TLS (default
# "ssl_protocols TLSv1.2 TLSv1.3;").  Nothing listens on anything but 127.0.0.1.

nginx_bin() {
    if [ -x /usr/sbin/nginx ]; then echo /usr/sbin/nginx; else command -v nginx; fi
}

nginx_free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

nginx_start() {
    local root=$1 cert=${2:-} key=${3:-}
    NGINX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rampart-nginx.XXXXXX")
    local tries=0
    while :; do
        NGINX_PORT=$(nginx_free_port)
        local listen="listen 127.0.0.1:$NGINX_PORT;" tls=""
        if [ -n "$cert" ]; then
            listen="listen 127.0.0.1:$NGINX_PORT ssl;"
            tls="ssl_certificate $cert; ssl_certificate_key $key; ${NGINX_TLS:-ssl_protocols TLSv1.2 TLSv1.3;}"
            NGINX_URL="https://127.0.0.1:$NGINX_PORT"
        else
            NGINX_URL="http://127.0.0.1:$NGINX_PORT"
        fi
        mkdir -p "$NGINX_DIR/tmp"
        # As root, keep the worker as root so it can read private temp folders.
        local user=""
        [ "$(id -u)" -eq 0 ] && user="user root;"
        cat >"$NGINX_DIR/nginx.conf" <<CONF
$user
worker_processes 1;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log warn;
daemon on;
events { worker_connections 256; }
http {
    access_log $NGINX_DIR/access.log;
    client_body_temp_path $NGINX_DIR/tmp;
    proxy_temp_path $NGINX_DIR/tmp;
    fastcgi_temp_path $NGINX_DIR/tmp;
    uwsgi_temp_path $NGINX_DIR/tmp;
    scgi_temp_path $NGINX_DIR/tmp;
    types { application/json json; }
    default_type application/octet-stream;
    sendfile on;
    keepalive_requests 10000;
    server {
        $listen
        server_name localhost;
        $tls
        root $root;
        autoindex off;
        ${NGINX_EXTRA:-}
    }
}
CONF
        if "$(nginx_bin)" -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR" -e "$NGINX_DIR/error.log" 2>>"$NGINX_DIR/start.log"; then
            break
        fi
        tries=$((tries + 1))
        if [ $tries -ge 5 ]; then
            echo "nginx failed to start:" >&2
            cat "$NGINX_DIR/start.log" "$NGINX_DIR/error.log" >&2 2>/dev/null
            return 1
        fi
    done
    # wait until it answers
    for _ in $(seq 1 50); do
        if python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1', $NGINX_PORT), 0.2)" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "nginx did not come up on port $NGINX_PORT" >&2
    return 1
}

nginx_stop() {
    if [ -n "${NGINX_DIR:-}" ] && [ -f "$NGINX_DIR/nginx.pid" ]; then
        local pid
        pid=$(cat "$NGINX_DIR/nginx.pid" 2>/dev/null)
        [ -n "$pid" ] && kill "$pid" 2>/dev/null
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    [ -n "${NGINX_DIR:-}" ] && rm -rf "$NGINX_DIR"
    NGINX_DIR=""
}
