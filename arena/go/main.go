// The arena's Go server (arena/README.md has the contract): net/http with gorilla/websocket,
// bound to 127.0.0.1 on -port P, printing one ready line once it listens.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	port := flag.Int("port", 60000, "TCP port on 127.0.0.1")
	flag.Parse()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /websocket", serveEcho)
	mux.HandleFunc("GET /broadcast", serveBroadcast)
	mux.HandleFunc("GET /sse", serveSeedSSE)
	mux.HandleFunc("GET /sse/ticks", serveTicksSSE)

	addr := fmt.Sprintf("127.0.0.1:%d", *port)
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "arena-go: cannot listen on %s: %v\n", addr, err)
		os.Exit(1)
	}
	// Listening already, so the ready line is true when printed.
	fmt.Printf("listening on %s\n", addr)
	log.Fatal(http.Serve(listener, mux))
}
