// Package metrics exports the server's Prometheus metrics: every gRPC call by
// method and status code with its latency, open streams, and what the room
// engine is doing.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/quizroom/quizroom/server/room"
)

// Metrics holds the server's collectors in a registry of their own.
type Metrics struct {
	registry *prometheus.Registry
	calls    *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	streams  *prometheus.GaugeVec
}

// New makes the collectors; stats reads the engine (nil: no engine gauges).
func New(stats func() room.Stats) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "quizroom_grpc_calls_total", Help: "gRPC calls finished, by method and status code.",
		}, []string{"method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "quizroom_grpc_call_seconds", Help: "Latency of unary gRPC calls, by method.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10),
		}, []string{"method"}),
		streams: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "quizroom_grpc_streams_open", Help: "Server streams open, by method.",
		}, []string{"method"}),
	}
	m.registry.MustRegister(m.calls, m.latency, m.streams,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if stats != nil {
		gauge := func(name, help string, read func(room.Stats) int) prometheus.Collector {
			return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return float64(read(stats())) })
		}
		m.registry.MustRegister(
			gauge("quizroom_rooms_owned", "Rooms whose timers this instance runs.", func(s room.Stats) int { return s.Owned }),
			gauge("quizroom_rooms_watched", "Rooms with watchers on this instance.", func(s room.Stats) int { return s.Rooms }),
			gauge("quizroom_watchers", "Open event subscriptions on this instance.", func(s room.Stats) int { return s.Watchers }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "quizroom_rooms_history_lost_total",
				Help: "Rooms this instance found had lost their history (the store lost data) and closed; any is an incident.",
			}, func() float64 { return float64(stats().Lost) }),
		)
	}
	return m
}

// ServerOptions are the interceptors that count every call.
func (m *Metrics) ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.ChainUnaryInterceptor(m.unary), grpc.ChainStreamInterceptor(m.stream)}
}

func (m *Metrics) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := handler(ctx, req)
	m.latency.WithLabelValues(info.FullMethod).Observe(time.Since(start).Seconds())
	m.calls.WithLabelValues(info.FullMethod, status.Code(err).String()).Inc()
	return resp, err
}

func (m *Metrics) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	g := m.streams.WithLabelValues(info.FullMethod)
	g.Inc()
	defer g.Dec()
	err := handler(srv, ss)
	m.calls.WithLabelValues(info.FullMethod, status.Code(err).String()).Inc()
	return err
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
