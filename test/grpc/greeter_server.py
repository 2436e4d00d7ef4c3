"""A Greeter served by Debian's python3-grpcio for the gRPC provider's tests. SayHello answers
`hello <name>`, after <ms> when the name is `sleep:<ms>`. Binds 127.0.0.1 on a free port, prints
the port, and serves until its stdin closes (so it ends with the test that started it)."""
import sys
import time
from concurrent import futures

import grpc

from helloworld_messages import HelloReply, HelloRequest


def say_hello(request, context):
    if request.name.startswith("sleep:"):
        time.sleep(int(request.name[len("sleep:"):]) / 1000)
    return HelloReply(message="hello " + request.name)


handler = grpc.method_handlers_generic_handler("helloworld.Greeter", {
    "SayHello": grpc.unary_unary_rpc_method_handler(say_hello, request_deserializer=HelloRequest.FromString, response_serializer=HelloReply.SerializeToString),
})
server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
server.add_generic_rpc_handlers((handler,))
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print(port, flush=True)
sys.stdin.read()
server.stop(0)
