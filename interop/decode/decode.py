"""Decodes recorded Watch frames with Python's protobuf (Debian's
python3-protobuf) and the stubs protoc generated from proto/, and prints
each WatchResponse in the proto3 JSON mapping, so that the Go test can
compare it with what Go decodes.

    python3 decode/decode.py GEN_DIR FRAMES.json

GEN_DIR holds quiz/v1/quiz_pb2.py; FRAMES.json is a JSON array of
base64-encoded WatchResponse messages.
"""
import base64
import json
import sys

sys.path.insert(0, sys.argv[1])

from google.protobuf import json_format  # noqa: E402
from quiz.v1 import quiz_pb2  # noqa: E402

with open(sys.argv[2], encoding="utf-8") as f:
    frames = json.load(f)
decoded = [json_format.MessageToDict(quiz_pb2.WatchResponse.FromString(base64.b64decode(b))) for b in frames]
json.dump(decoded, sys.stdout)
