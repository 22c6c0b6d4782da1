// Decodes recorded Watch frames with @bufbuild/protobuf and the schema
// protoc-gen-es generated from proto/, and prints each WatchResponse in the
// proto3 JSON mapping (toJson), so that the Go test can compare it with
// what Go decodes.
//
//   node decode/bufbuild.mjs GEN_DIR FRAMES.json
//
// GEN_DIR holds quiz/v1/quiz_pb.js; FRAMES.json is a JSON array of
// base64-encoded WatchResponse messages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fromBinary, toJson } from '@bufbuild/protobuf';

const [genDir, framesFile] = process.argv.slice(2);
const { WatchResponseSchema } = await import(pathToFileURL(join(genDir, 'quiz/v1/quiz_pb.js')).href);
const frames = JSON.parse(readFileSync(framesFile, 'utf8'));
const decoded = frames.map((b64) => toJson(WatchResponseSchema, fromBinary(WatchResponseSchema, Buffer.from(b64, 'base64'))));
process.stdout.write(JSON.stringify(decoded));
