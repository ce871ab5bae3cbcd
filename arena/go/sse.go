package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const seedEvents = 10
const maxIntervalMs = 3_600_000

// positiveQuery reads ?name= as a number in (0, max], def when absent; ok=false when invalid.
func positiveQuery(r *http.Request, name string, def, max float64) (float64, bool) {
	text := r.URL.Query().Get(name)
	if text == "" {
		return def, true
	}
	v, err := strconv.ParseFloat(text, 64)
	return v, err == nil && v > 0 && v <= max
}

func startStream(w http.ResponseWriter) http.Flusher {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	f := w.(http.Flusher)
	f.Flush()
	return f
}

// serveSeedSSE is the seed's stream: data:0 … data:9, a sleep after each, then the connection
// closes (Connection: close, as the seed ends its stream by closing).
func serveSeedSSE(w http.ResponseWriter, r *http.Request) {
	intervalMs, ok := positiveQuery(r, "interval_ms", 1000, maxIntervalMs)
	if !ok {
		http.Error(w, "interval_ms must be a number of milliseconds > 0", http.StatusBadRequest)
		return
	}
	w.Header().Set("Connection", "close")
	f := startStream(w)
	pause := time.Duration(intervalMs * float64(time.Millisecond))
	for i := 0; i < seedEvents; i++ {
		fmt.Fprintf(w, "data:%d\n\n", i)
		f.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(pause):
		}
	}
}

// serveTicksSSE sends stamped events publish_hz times a second (default 10), resuming after
// Last-Event-ID; ?count=N ends the stream after N events.
func serveTicksSSE(w http.ResponseWriter, r *http.Request) {
	hz, ok := positiveQuery(r, "publish_hz", 10, maxPublishHz)
	if !ok {
		http.Error(w, "publish_hz must be a number > 0", http.StatusBadRequest)
		return
	}
	count := uint64(0)
	limited := false
	if text := r.URL.Query().Get("count"); text != "" {
		n, err := strconv.ParseUint(text, 10, 64)
		if err != nil {
			http.Error(w, "count must be a whole number", http.StatusBadRequest)
			return
		}
		count, limited = n, true
	}
	first := uint64(0)
	if id, err := strconv.ParseUint(strings.TrimSpace(r.Header.Get("Last-Event-ID")), 10, 64); err == nil {
		first = id + 1
	}
	f := startStream(w)
	ticker := time.NewTicker(time.Duration(float64(time.Second) / hz))
	defer ticker.Stop()
	for seq := first; !limited || seq-first < count; seq++ {
		select {
		case <-r.Context().Done():
			return
		case <-ticker.C:
		}
		fmt.Fprintf(w, "id:%d\ndata:%s\n\n", seq, stamped(seq))
		f.Flush()
	}
}
