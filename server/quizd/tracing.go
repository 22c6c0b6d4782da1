package quizd

import (
	"context"
	"fmt"
	"net/url"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// tracing is OpenTelemetry tracing as -otel-endpoint asks for it: every
// gRPC call is a span (joined to the caller's trace when the call carries
// W3C traceparent metadata), and every Redis command it makes a child span
// (without its arguments: they hold answers and token hashes). So an
// operator can follow one answer from the client through whichever
// instance took it into Redis.
type tracing struct {
	provider *sdktrace.TracerProvider // nil when tracing is off
}

// newTracing exports spans to the OTLP/gRPC collector at endpoint
// (http://host:port without TLS, https://host:port with it), or does
// nothing when endpoint is empty.
func newTracing(ctx context.Context, endpoint, instance string) (*tracing, error) {
	if endpoint == "" {
		return &tracing{}, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("-otel-endpoint %q: want http://host:port (plaintext) or https://host:port (TLS), the collector's OTLP/gRPC address", endpoint)
	}
	opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(u.Host)}
	if u.Scheme == "http" {
		opts = append(opts, otlptracegrpc.WithInsecure())
	}
	exp, err := otlptracegrpc.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("-otel-endpoint: %w", err)
	}
	res := resource.NewSchemaless(attribute.String("service.name", "quizd"), attribute.String("service.instance.id", instance))
	return &tracing{provider: sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))}, nil
}

// tracerProvider is the provider for instrumented clients; nil when off.
func (t *tracing) tracerProvider() trace.TracerProvider {
	if t.provider == nil {
		return nil
	}
	return t.provider
}

// serverOptions instrument the gRPC server.
func (t *tracing) serverOptions() []grpc.ServerOption {
	if t.provider == nil {
		return nil
	}
	return []grpc.ServerOption{grpc.StatsHandler(otelgrpc.NewServerHandler(
		otelgrpc.WithTracerProvider(t.provider), otelgrpc.WithPropagators(propagation.TraceContext{}),
	))}
}

// shutdown sends the spans not sent yet and stops.
func (t *tracing) shutdown(ctx context.Context) error {
	if t.provider == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}
