#!/usr/bin/env python3
"""The git-forge recipe's Git LFS server (Python 3 standard library only).

Serves the LFS batch API and the "basic" transfer under
/<repo>.git/info/lfs/:

  POST objects/batch     which objects to upload / where to download them
  PUT  objects/<oid>     upload (the SHA-256 of the body must be the oid)
  GET  objects/<oid>     download

Objects live in $FORGE_LFS/<repo>.git/objects/<oid[0:2]>/<oid[2:4]>/<oid>
(a named volume, backed up whole). With LFS_ENABLED=false every LFS request
is answered 501 with a message saying so, which git-lfs reports to the user.

usage: lfs_server.py [ADDRESS [PORT]]   (default 127.0.0.1 8081)
"""
import hashlib
import json
import os
import re
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.environ.get("FORGE_LFS", "/srv/lfs")
ENABLED = os.environ.get("LFS_ENABLED", "true").strip().lower() in ("1", "true", "yes", "on")
MEDIA = "application/vnd.git-lfs+json"
PATH_RE = re.compile(r"^/(?P<repo>[A-Za-z0-9._/-]+\.git)/info/lfs/(?P<rest>[^?]*)")
OID_RE = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 16


def object_path(repo, oid):
    return os.path.join(ROOT, repo, "objects", oid[0:2], oid[2:4], oid)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ccci-git-forge-lfs/1"

    # --- helpers ---------------------------------------------------------

    def reply(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", MEDIA)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def drain(self):
        """Reads (and drops) the request body, so the connection stays usable."""
        left = int(self.headers.get("Content-Length") or 0)
        while left > 0:
            got = self.rfile.read(min(CHUNK, left))
            if not got:
                break
            left -= len(got)

    def route(self):
        """(repo, rest) of an LFS path, or None after answering 404."""
        m = PATH_RE.match(self.path)
        if not m or ".." in m["repo"].split("/"):
            self.drain()
            self.reply(404, {"message": f"not a Git LFS path: {self.path}"})
            return None
        if not ENABLED:
            self.drain()
            self.reply(501, {"message": "Git LFS is disabled on this server (LFS_ENABLED=false): "
                                        "it does not serve LFS objects"})
            return None
        return m["repo"], m["rest"]

    def href(self, repo, oid):
        proto = self.headers.get("X-Forwarded-Proto") or "http"
        host = self.headers.get("Host") or "localhost"
        return f"{proto}://{host}/{repo}/info/lfs/objects/{oid}"

    # --- methods ---------------------------------------------------------

    def do_GET(self):
        if self.path == "/healthz":
            self.reply(200, {"lfs_enabled": ENABLED})
            return
        routed = self.route()
        if not routed:
            return
        repo, rest = routed
        oid = rest[len("objects/"):] if rest.startswith("objects/") else ""
        path = object_path(repo, oid) if OID_RE.match(oid) else ""
        if not path or not os.path.isfile(path):
            self.reply(404, {"message": f"object {oid or rest} does not exist in {repo}"})
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(os.path.getsize(path)))
        self.end_headers()
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                self.wfile.write(chunk)

    def do_POST(self):
        routed = self.route()
        if not routed:
            return
        repo, rest = routed
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if rest != "objects/batch":
            # Includes locks/verify: this forge has no locking API; git-lfs
            # goes on without it.
            self.reply(404, {"message": f"{rest} is not served here"})
            return
        try:
            req = json.loads(raw or b"{}")
        except ValueError as e:
            self.reply(422, {"message": f"batch request is not JSON: {e}"})
            return
        op = req.get("operation")
        if op not in ("upload", "download"):
            self.reply(422, {"message": f"unknown operation {op!r}: expected upload or download"})
            return
        objects = []
        for obj in req.get("objects") or []:
            oid, size = str(obj.get("oid", "")), obj.get("size")
            out = {"oid": oid, "size": size}
            if not OID_RE.match(oid) or not isinstance(size, int) or size < 0:
                out["error"] = {"code": 422, "message": "invalid oid or size"}
                objects.append(out)
                continue
            path = object_path(repo, oid)
            present = os.path.isfile(path) and os.path.getsize(path) == size
            action = {"href": self.href(repo, oid), "expires_in": 3600}
            if op == "upload" and not present:
                out["actions"] = {"upload": action}
            elif op == "download" and present:
                out["actions"] = {"download": action}
            elif op == "download":
                out["error"] = {"code": 404, "message": f"object {oid} does not exist in {repo}"}
            out["authenticated"] = True
            objects.append(out)
        self.reply(200, {"transfer": "basic", "objects": objects, "hash_algo": "sha256"})

    def do_PUT(self):
        routed = self.route()
        if not routed:
            return
        repo, rest = routed
        oid = rest[len("objects/"):] if rest.startswith("objects/") else ""
        if not OID_RE.match(oid) or "Content-Length" not in self.headers:
            self.drain()
            self.reply(422, {"message": "PUT objects/<sha256 oid> with a Content-Length"})
            return
        length = int(self.headers["Content-Length"])
        final = object_path(repo, oid)
        os.makedirs(os.path.dirname(final), exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(final), prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as f:
                left = length
                while left > 0:
                    chunk = self.rfile.read(min(CHUNK, left))
                    if not chunk:
                        break
                    digest.update(chunk)
                    f.write(chunk)
                    left -= len(chunk)
            # Never store bytes under an oid they do not hash to.
            if left or digest.hexdigest() != oid:
                os.unlink(tmp)
                self.reply(422, {"message": f"upload of {oid}: got {length - left} bytes hashing to "
                                            f"{digest.hexdigest()}"})
                return
            os.replace(tmp, final)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self.reply(200, {"message": "stored"})

    def log_message(self, fmt, *args):
        sys.stderr.write("lfs: %s\n" % (fmt % args))


def main():
    address = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8081
    os.makedirs(ROOT, exist_ok=True)
    server = ThreadingHTTPServer((address, port), Handler)
    sys.stderr.write(f"lfs: serving {ROOT} on {address}:{port} (LFS {'enabled' if ENABLED else 'DISABLED'})\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
