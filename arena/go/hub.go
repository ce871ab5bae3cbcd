package main

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The hub of gorilla/websocket's chat example: one goroutine owns the client set, every
// message goes to every client's buffered send channel, and a client whose buffer is full is
// dropped (its writer closes the connection) rather than holding the others back.

// sendBuffer is the chat example's per-client buffer.
const sendBuffer = 256
const maxPublishHz = 100_000

type message struct {
	kind int
	data []byte
}

type client struct {
	hub  *hub
	conn *websocket.Conn
	send chan message
}

type hub struct {
	clients    map[*client]bool
	broadcast  chan message
	register   chan *client
	unregister chan *client
}

func newHub() *hub {
	return &hub{
		clients:    make(map[*client]bool),
		broadcast:  make(chan message),
		register:   make(chan *client),
		unregister: make(chan *client),
	}
}

func (h *hub) run() {
	for {
		select {
		case c := <-h.register:
			h.clients[c] = true
		case c := <-h.unregister:
			if h.clients[c] {
				delete(h.clients, c)
				close(c.send)
			}
		case m := <-h.broadcast:
			for c := range h.clients {
				select {
				case c.send <- m:
				default:
					delete(h.clients, c)
					close(c.send)
				}
			}
		}
	}
}

// publish feeds the hub a stamped message hz times a second, for the server's lifetime.
func (h *hub) publish(hz float64) {
	ticker := time.NewTicker(time.Duration(float64(time.Second) / hz))
	for seq := uint64(0); ; seq++ {
		<-ticker.C
		h.broadcast <- message{websocket.TextMessage, stamped(seq)}
	}
}

var (
	hubsMu sync.Mutex
	// Hubs by name: "" for the clients' own, the publish_hz text for a published one.
	hubs = map[string]*hub{}
)

func hubNamed(name string, hz float64) *hub {
	hubsMu.Lock()
	defer hubsMu.Unlock()
	if h, ok := hubs[name]; ok {
		return h
	}
	h := newHub()
	go h.run()
	if hz > 0 {
		go h.publish(hz)
	}
	hubs[name] = h
	return h
}

// serveBroadcast joins the client to /broadcast's hub, or with ?publish_hz=H to the hub a
// server publisher feeds H times a second.
func serveBroadcast(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("publish_hz")
	hz := 0.0
	if name != "" {
		v, err := strconv.ParseFloat(name, 64)
		if err != nil || !(v > 0 && v <= maxPublishHz) {
			http.Error(w, "publish_hz must be a number > 0", http.StatusBadRequest)
			return
		}
		hz = v
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &client{hub: hubNamed(name, hz), conn: conn, send: make(chan message, sendBuffer)}
	c.hub.register <- c
	go c.writePump()
	c.readPump()
}

func (c *client) readPump() {
	defer func() {
		c.hub.unregister <- c
		c.conn.Close()
	}()
	for {
		kind, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		c.hub.broadcast <- message{kind, data}
	}
}

// writePump is the connection's only writer; a closed send channel means the hub dropped it.
func (c *client) writePump() {
	defer c.conn.Close()
	for m := range c.send {
		if err := c.conn.WriteMessage(m.kind, m.data); err != nil {
			return
		}
	}
	c.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "too slow"))
}
