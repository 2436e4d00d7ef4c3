"""A Greeter client on Debian's python3-grpcio, for the platform's gRPC trigger. Arguments: the
target (host:port), then one JSON object per call: {"name", "authority"?, "function"?}; each
call's outcome is printed as one JSON line: {"code", "details", "message", "metadata"}."""
import json
import sys

import grpc

from helloworld_messages import SAY_HELLO, HelloReply, HelloRequest

target = sys.argv[1]
for spec in map(json.loads, sys.argv[2:]):
    options = [("grpc.default_authority", spec["authority"])] if "authority" in spec else []
    metadata = [("faasbench-function", spec["function"])] if "function" in spec else []
    with grpc.insecure_channel(target, options=options) as channel:
        say_hello = channel.unary_unary(SAY_HELLO, request_serializer=HelloRequest.SerializeToString, response_deserializer=HelloReply.FromString)
        try:
            reply, call = say_hello.with_call(HelloRequest(name=spec["name"]), metadata=metadata, timeout=30)
            print(json.dumps({"code": "OK", "details": None, "message": reply.message, "metadata": dict(call.initial_metadata())}), flush=True)
        except grpc.RpcError as err:
            print(json.dumps({"code": err.code().name, "details": err.details(), "message": None, "metadata": dict(err.trailing_metadata() or ())}), flush=True)
