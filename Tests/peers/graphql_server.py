"""A strawberry-graphql server for the GraphQL adapter tests, served by uvicorn on 127.0.0.1.

    python graphql_server.py --port 0

POST /graphql takes `{query, variables, operationName}`. Schema:

    type User { id: ID!, name: String!, email: String!, tags: [String!]!, secret: String }
    type Query {
      user(id: ID!): User              # null when unknown
      users(first: Int): [User!]!
      slow(seconds: Float!): String!   # sleeps, for timeouts
      echo(text: String!): String!
    }
    type Mutation { createUser(name: String!, email: String!): User! }

`User.secret` raises an error for user 2, so `{ users { id secret } }` answers with `errors` and partial `data`;
`createUser` with an email without `@` raises an error (data null). Prints `LISTENING <port>` on stdout once it
accepts connections, and exits when its parent process does.
"""

import argparse
import asyncio
import os
import socket
import sys
import threading
import time
from typing import List, Optional

import strawberry
import uvicorn
from strawberry.asgi import GraphQL
from peer_support import exit_with_parent


@strawberry.type
class User:
    id: strawberry.ID
    name: str
    email: str
    tags: List[str]

    @strawberry.field
    def secret(self) -> Optional[str]:
        if self.id == "2":
            raise ValueError("secret of user 2 is classified")
        return "s3cret-" + str(self.id)


USERS = [
    User(id=strawberry.ID("1"), name="Ada Lovelace", email="ada@example.com", tags=["admin", "math"]),
    User(id=strawberry.ID("2"), name="Alan Turing", email="alan@example.com", tags=[]),
    User(id=strawberry.ID("3"), name="Grace Hopper", email="grace@example.com", tags=["navy"]),
]


@strawberry.type
class Query:
    @strawberry.field
    def user(self, id: strawberry.ID) -> Optional[User]:
        return next((u for u in USERS if u.id == id), None)

    @strawberry.field
    def users(self, first: Optional[int] = None) -> List[User]:
        return USERS if first is None else USERS[: max(first, 0)]

    @strawberry.field
    async def slow(self, seconds: float) -> str:
        await asyncio.sleep(min(seconds, 30))
        return "done"

    @strawberry.field
    def echo(self, text: str) -> str:
        return text


@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_user(self, name: str, email: str) -> User:
        if "@" not in email:
            raise ValueError("email '%s' is not valid" % email)
        user = User(id=strawberry.ID(str(len(USERS) + 1)), name=name, email=email, tags=[])
        USERS.append(user)
        return user


schema = strawberry.Schema(query=Query, mutation=Mutation)
app = GraphQL(schema, graphql_ide=None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    exit_with_parent()
    # Bind first so the port is known (and accepting) before uvicorn starts serving on the socket.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(128)
    print("LISTENING %d" % sock.getsockname()[1], flush=True)
    # Idle keep-alive connections are kept for a minute (uvicorn closes them after 5 s by default): a test that counts
    # reused connections must not see one closed because a loaded machine paused it between two requests.
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_keep_alive=60)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    sys.exit(main())
