"""PostgreSQL's password login in front of a PostgreSQL server that trusts 127.0.0.1 (standard library only).

Usage: pg_password_front.py --upstream-port N --password P [--password P2 ...] [--port N]   (port 0 picks a free
port; any of the passwords is right).
Prints "LISTENING <port>". Exits when its parent process dies.

Each client connection is asked for its password (AuthenticationCleartextPassword, as `password` in pg_hba.conf
does). A wrong one is answered as PostgreSQL answers it (FATAL 28P01 "password authentication failed for user ...")
and the connection closed; the right one lets the client through: its startup message goes to the upstream server,
which trusts it, and from then on bytes are copied both ways. SSL requests are declined ('N'); cancel requests are
passed on.
"""
import argparse
import asyncio
import os
import struct
import sys
import threading
import time
from peer_support import exit_with_parent


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


def error_response(user):
    fields = b""
    for code, text in (("S", "FATAL"), ("V", "FATAL"), ("C", "28P01"), ("M", f'password authentication failed for user "{user}"')):
        fields += code.encode() + text.encode() + b"\0"
    fields += b"\0"
    return b"E" + struct.pack("!I", len(fields) + 4) + fields


async def handle(reader, writer, args):
    try:
        while True:
            length = struct.unpack("!I", await reader.readexactly(4))[0]
            body = await reader.readexactly(length - 4)
            code = struct.unpack("!I", body[:4])[0]
            if code == 80877103:  # SSLRequest
                writer.write(b"N")
                await writer.drain()
                continue
            startup = struct.pack("!I", length) + body
            break
        if code == 80877102:  # CancelRequest: the upstream's business
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", args.upstream_port)
            up_writer.write(startup)
            await up_writer.drain()
            up_writer.close()
            writer.close()
            return
        params = body[4:].split(b"\0")
        user = ""
        for i in range(0, len(params) - 1, 2):
            if params[i] == b"user":
                user = params[i + 1].decode()
        writer.write(b"R" + struct.pack("!II", 8, 3))  # AuthenticationCleartextPassword
        await writer.drain()
        kind = await reader.readexactly(1)
        length = struct.unpack("!I", await reader.readexactly(4))[0]
        password = (await reader.readexactly(length - 4)).rstrip(b"\0").decode()
        if kind != b"p" or password not in args.password:
            writer.write(error_response(user))
            await writer.drain()
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", args.upstream_port)
        up_writer.write(startup)
        await up_writer.drain()
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def serve(args):
    server = await asyncio.start_server(lambda r, w: handle(r, w, args), "127.0.0.1", args.port)
    print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--upstream-port", type=int, required=True)
    parser.add_argument("--password", action="append", required=True)
    args = parser.parse_args()
    exit_with_parent()
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
