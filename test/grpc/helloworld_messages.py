"""vSwarm's helloworld messages (src/platform/protos/helloworld.proto), built from a descriptor at
run time: Debian's python3-grpcio comes without grpc_tools, so there is no protoc to generate them."""
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_file = descriptor_pb2.FileDescriptorProto(name="helloworld.proto", package="helloworld", syntax="proto3")
_request = _file.message_type.add(name="HelloRequest")
_request.field.add(name="name", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING, label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
_request.field.add(name="vHiveMetadata", number=15, type=descriptor_pb2.FieldDescriptorProto.TYPE_BYTES, label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
_reply = _file.message_type.add(name="HelloReply")
_reply.field.add(name="message", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING, label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)

_pool = descriptor_pool.DescriptorPool()
_pool.Add(_file)
_factory = message_factory.MessageFactory(_pool)
HelloRequest = _factory.GetPrototype(_pool.FindMessageTypeByName("helloworld.HelloRequest"))
HelloReply = _factory.GetPrototype(_pool.FindMessageTypeByName("helloworld.HelloReply"))
SAY_HELLO = "/helloworld.Greeter/SayHello"
