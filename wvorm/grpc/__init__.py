"""The gRPC transport (the ``wvorm[grpc]`` extra: grpcio and protobuf).

- :mod:`wvorm.grpc.messages`: query plans as gRPC messages, replies as rows (no I/O);
- :mod:`wvorm.grpc.channel`: the channel, with the client's headers, timeouts,
  retries and errors;
- ``wvorm.grpc._proto``: the messages generated from the pinned server's ``.proto``
  files by ``scripts/generate_grpc.py`` (its stamp names the server version).

Importing this package does not need the extra; importing its modules does.
:mod:`wvorm.transport` decides whether to use it.
"""
