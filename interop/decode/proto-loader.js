// Decodes recorded Watch frames exactly as a stock Node gRPC client does:
// with the response deserializer @grpc/proto-loader builds (protobufjs 7),
// using the options most Node tutorials use. It prints each decoded
// WatchResponse in the proto3 JSON mapping, so that the Go test can compare
// it with what Go decodes.
//
//   node decode/proto-loader.js PROTO_DIR FRAMES.json
//
// FRAMES.json is a JSON array of base64-encoded WatchResponse messages.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const [protoDir, framesFile] = process.argv.slice(2);
const file = path.join(protoDir, 'quiz/v1/quiz.proto');
const options = { keepCase: false, longs: String, enums: String, defaults: false, oneofs: true, includeDirs: [protoDir] };

const watch = protoLoader.loadSync(file, options)['quiz.v1.QuizService'].Watch;
// The same schema as protobufjs reflection, only to print what the
// deserializer returned in the JSON mapping.
const root = protobuf.loadSync(file);
const watchResponse = root.lookupType('quiz.v1.WatchResponse');

const frames = JSON.parse(fs.readFileSync(framesFile, 'utf8'));
const decoded = frames.map((b64) => toJSON(watchResponse, watch.responseDeserialize(Buffer.from(b64, 'base64'))));
process.stdout.write(JSON.stringify(decoded));

// toJSON turns a plain object from the deserializer into the proto3 JSON
// mapping: field by field as the schema lists them (the virtual oneof
// fields protobufjs adds are not fields), Timestamp and Duration as strings.
function toJSON(type, obj) {
  switch (type.fullName) {
    case '.google.protobuf.Timestamp':
      return timestampJSON(obj);
    case '.google.protobuf.Duration':
      return durationJSON(obj);
  }
  const out = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const value = obj[field.name];
    if (value === undefined || value === null) continue;
    const one = (v) => (field.resolvedType instanceof protobuf.Type ? toJSON(field.resolvedType, v) : v);
    out[field.name] = field.repeated ? value.map(one) : one(value);
  }
  return out;
}

// fraction is nanos as the JSON mapping writes them: none, or 3, 6 or 9
// digits.
function fraction(nanos) {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  if (nanos % 1e6 === 0) return '.' + digits.slice(0, 3);
  if (nanos % 1e3 === 0) return '.' + digits.slice(0, 6);
  return '.' + digits;
}

function timestampJSON(t) {
  const seconds = Number(t.seconds || 0);
  const iso = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return iso + fraction(t.nanos || 0) + 'Z';
}

function durationJSON(d) {
  const seconds = BigInt(d.seconds || 0);
  const nanos = d.nanos || 0;
  const negative = seconds < 0n || nanos < 0;
  const abs = (x) => (x < 0 ? -x : x);
  return (negative ? '-' : '') + abs(seconds).toString() + fraction(abs(nanos)) + 's';
}
