package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"strings"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/quizroom/quizroom/server/room"
)

// frameMessage is a frame the engine rendered, sent as it is.
type frameMessage struct{ room.Frame }

// codec is the proto codec, except that it writes a frameMessage's bytes
// without encoding anything: a room's shared event bytes, made once, go to
// every stream as they are, between the stream's own bytes.
//
// It also turns request bytes that do not decode into InvalidArgument:
// grpc-go reports a codec's decoding error as Internal, which blames the
// server for the client's bytes. So instead of failing, Unmarshal leaves
// the request empty with a mark in its unknown fields, and the interceptors
// of ServerOptions refuse a marked request with InvalidArgument.
type codec struct {
	proto encoding.CodecV2
	// recent are the buffer lists of the last frames that were shared
	// bytes alone: a room's event goes to each of its watchers in turn, the
	// same bytes every time, and grpc-go only reads a list it is given (as
	// it does a PreparedMsg's, which a server may send on many streams), so
	// every watcher's frame of it shares one list instead of allocating its
	// own.
	recent *recentParts
}

// recentParts are the buffer lists of the last few shared events sent:
// watchers still sending one event while others send the next (or another
// room's) find both.
type recentParts struct {
	parts [4]atomic.Pointer[sharedParts]
	next  atomic.Uint32 // the slot a new list takes
}

// sharedParts is the buffer list of a frame that is shared bytes alone.
type sharedParts struct {
	shared []byte
	parts  mem.BufferSlice
}

// get returns the buffer list of shared.
func (r *recentParts) get(shared []byte) mem.BufferSlice {
	for i := range r.parts {
		if p := r.parts[i].Load(); p != nil && len(p.shared) == len(shared) && &p.shared[0] == &shared[0] {
			return p.parts
		}
	}
	p := &sharedParts{shared: shared, parts: mem.BufferSlice{mem.SliceBuffer(shared)}}
	r.parts[r.next.Add(1)%uint32(len(r.parts))].Store(p)
	return p.parts
}

// Codec returns the server's codec; pass it to grpc.ForceServerCodecV2.
func Codec() encoding.CodecV2 {
	return codec{proto: encoding.GetCodecV2("proto"), recent: new(recentParts)}
}

func (c codec) Marshal(v any) (mem.BufferSlice, error) {
	f, ok := v.(*frameMessage)
	if !ok {
		return c.proto.Marshal(v)
	}
	if len(f.Head) == 0 && len(f.Personal) == 0 && len(f.Shared) > 0 {
		return c.recent.get(f.Shared), nil
	}
	parts := [...][]byte{f.Head, f.Shared, f.Personal}
	n := 0
	for _, b := range parts {
		if len(b) > 0 {
			n++
		}
	}
	out := make(mem.BufferSlice, 0, n)
	for _, b := range parts {
		if len(b) > 0 {
			out = append(out, mem.SliceBuffer(b))
		}
	}
	return out, nil
}

func (c codec) Unmarshal(data mem.BufferSlice, v any) error {
	err := c.proto.Unmarshal(data, v)
	m, ok := v.(proto.Message)
	if err == nil || !ok {
		return err
	}
	proto.Reset(m)
	mark := protowire.AppendTag(nil, undecodableField, protowire.BytesType)
	m.ProtoReflect().SetUnknown(protowire.AppendBytes(mark, append(markNonce[:], err.Error()...)))
	return nil
}

func (c codec) Name() string { return c.proto.Name() }

// undecodableField is the field number of the mark Unmarshal leaves in a
// request that did not decode: the highest protobuf allows, which no
// message of the API uses.
const undecodableField = protowire.MaxValidNumber

// markNonce starts every mark, so that a client cannot forge one by sending
// that field itself.
var markNonce = func() (b [16]byte) {
	_, _ = rand.Read(b[:])
	return b
}()

// undecodable returns why req did not decode, or "" when it did.
func undecodable(req any) (string, bool) {
	m, ok := req.(proto.Message)
	if !ok {
		return "", false
	}
	raw := m.ProtoReflect().GetUnknown()
	num, typ, n := protowire.ConsumeTag(raw)
	if n < 0 || num != undecodableField || typ != protowire.BytesType {
		return "", false
	}
	why, m2 := protowire.ConsumeBytes(raw[n:])
	if m2 < 0 || n+m2 != len(raw) || !bytes.HasPrefix(why, markNonce[:]) {
		return "", false
	}
	return string(why[len(markNonce):]), true
}

// badRequestBytes is the status for a request that did not decode.
func badRequestBytes(method, why string) error {
	name := method[strings.LastIndex(method, "/")+1:]
	return status.Errorf(codes.InvalidArgument, "the request bytes do not decode as a %s request: %s", name, why)
}

// refuseUndecodable is the unary half of the codec's decoding check.
func refuseUndecodable(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if why, bad := undecodable(req); bad {
		return nil, badRequestBytes(info.FullMethod, why)
	}
	return handler(ctx, req)
}

// refuseUndecodableStream is the streaming half of the codec's decoding
// check.
func refuseUndecodableStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	return handler(srv, &checkedStream{ServerStream: ss, method: info.FullMethod})
}

// checkedStream refuses received messages that did not decode.
type checkedStream struct {
	grpc.ServerStream
	method string
}

func (s *checkedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if why, bad := undecodable(m); bad {
		return badRequestBytes(s.method, why)
	}
	return nil
}
