package log

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the log's Prometheus collectors.
type Metrics struct {
	appended      prometheus.Counter
	appendErrors  prometheus.Counter
	appendSeconds prometheus.Histogram
	groupEvents   prometheus.Histogram
	groupBytes    prometheus.Histogram
	consumed      *prometheus.CounterVec
	consumerSeq   *prometheus.GaugeVec
}

func newMetrics() *Metrics {
	return &Metrics{
		appended: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "touchpoint_log_events_appended_total", Help: "Events durably appended to the log.",
		}),
		appendErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "touchpoint_log_append_errors_total", Help: "Events whose append failed.",
		}),
		appendSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "touchpoint_log_append_seconds", Help: "Time from Append to durable acknowledgement.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		groupEvents: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "touchpoint_log_group_events", Help: "Events per group-committed log message.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 9),
		}),
		groupBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "touchpoint_log_group_bytes", Help: "Bytes per group-committed log message.",
			Buckets: prometheus.ExponentialBuckets(1024, 4, 8),
		}),
		consumed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "touchpoint_consumer_events_total", Help: "Events applied by each log consumer.",
		}, []string{"consumer"}),
		consumerSeq: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "touchpoint_consumer_sequence", Help: "Last log sequence each consumer applied.",
		}, []string{"consumer"}),
	}
}

// Collectors returns every collector, for registration.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.appended, m.appendErrors, m.appendSeconds, m.groupEvents, m.groupBytes, m.consumed, m.consumerSeq}
}
