// Package interop holds no Go code of its own: its tests check the API from
// the clients people use. They record the Watch frames of a scripted game
// and decode them with Go, Python's protobuf, protobufjs through
// @grpc/proto-loader and @bufbuild/protobuf, which must all agree; and they
// run the Python and Node quick starts of proto/README.md against a real
// server. The Node packages are pinned in package-lock.json (npm ci); the
// Python ones come from Debian (python3-grpcio, python3-protobuf,
// protobuf-compiler, protobuf-compiler-grpc).
package interop
