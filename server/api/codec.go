package api

import (
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"

	"github.com/quizroom/quizroom/server/room"
)

// frameMessage is a frame the engine rendered, sent as it is.
type frameMessage struct{ room.Frame }

// codec is the proto codec, except that it writes a frameMessage's bytes
// without encoding anything: a room's shared event bytes, made once, go to
// every stream as they are, followed by the stream's personal bytes.
type codec struct{ proto encoding.CodecV2 }

// Codec returns the server's codec; pass it to grpc.ForceServerCodecV2.
func Codec() encoding.CodecV2 { return codec{proto: encoding.GetCodecV2("proto")} }

func (c codec) Marshal(v any) (mem.BufferSlice, error) {
	f, ok := v.(*frameMessage)
	if !ok {
		return c.proto.Marshal(v)
	}
	out := mem.BufferSlice{mem.SliceBuffer(f.Shared)}
	if len(f.Personal) > 0 {
		out = append(out, mem.SliceBuffer(f.Personal))
	}
	return out, nil
}

func (c codec) Unmarshal(data mem.BufferSlice, v any) error { return c.proto.Unmarshal(data, v) }

func (c codec) Name() string { return c.proto.Name() }
