"""A grpcio server for the test ShapesService, from stubs grpcio-tools
generated out of the .proto typerpc wrote. Prints its port, then serves
until killed.

Usage: python grpcio_server.py STUB_DIR SHAPES_MODULE
"""
import importlib
import sys
import time
from concurrent import futures

import grpc

sys.path.insert(0, sys.argv[1])
pb2 = importlib.import_module(sys.argv[2] + "_pb2")
pb2_grpc = importlib.import_module(sys.argv[2] + "_pb2_grpc")
from google.protobuf import any_pb2  # noqa: E402
from google.rpc import status_pb2  # noqa: E402

CODES = {code.value[0]: code for code in grpc.StatusCode}


def metadata(context):
    context.send_initial_metadata((("x-answer", "yes"),))
    context.set_trailing_metadata(
        (("x-trailer", "done"), ("x-trailer-bin", bytes([0, 1, 2])))
    )


def fail(context, code, text):
    detail = any_pb2.Any()
    detail.Pack(pb2.ErrorDetail(reason=f"asked for {code}"))
    status = status_pb2.Status(code=code, message=f"failing: {text}", details=[detail])
    context.set_trailing_metadata(
        (("grpc-status-details-bin", status.SerializeToString()),)
    )
    context.abort(CODES[code], f"failing: {text}")


def echo(context, req, index):
    headers = dict(context.invocation_metadata())
    binary = headers.get("x-test-bin", b"")
    return pb2.Res(
        text=req.text,
        index=index,
        header=headers.get("x-test", ""),
        binary_header=binary.hex(),
    )


class Shapes(pb2_grpc.ShapesServiceServicer):
    def Unary(self, req, context):
        time.sleep(req.delay_ms / 1000)
        metadata(context)
        if req.fail_code:
            fail(context, req.fail_code, req.text)
        return echo(context, req, 0)

    def ServerStream(self, req, context):
        metadata(context)
        for i in range(req.count):
            time.sleep(req.delay_ms / 1000)
            if not context.is_active():
                return
            yield echo(context, req, i)
        if req.fail_code:
            fail(context, req.fail_code, req.text)

    def ClientStream(self, reqs, context):
        metadata(context)
        texts = []
        for req in reqs:
            if req.fail_code:
                fail(context, req.fail_code, req.text)
            texts.append(req.text)
        return pb2.Res(text=",".join(texts), index=len(texts))

    def Bidi(self, reqs, context):
        metadata(context)
        for i, req in enumerate(reqs):
            if req.fail_code:
                fail(context, req.fail_code, req.text)
            yield echo(context, req, i)


server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
pb2_grpc.add_ShapesServiceServicer_to_server(Shapes(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print(port, flush=True)
server.wait_for_termination()
