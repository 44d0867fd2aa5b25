// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp)
// on a loopback port for tests: it keeps every message it accepts, can
// refuse recipients, and can hold a message's DATA to let a test stop the
// sender mid-send.
package smtptest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Data []byte
	// Header is the parsed header; Body the raw body.
	Header mail.Header
	Body   []byte
}

// Server is a running SMTP server.
type Server struct {
	Addr string
	Host string
	Port int

	srv *smtp.Server
	ln  net.Listener

	mu          sync.Mutex
	msgs        []Message
	reject      map[string]bool
	hold        chan struct{}
	holdAccepts bool
	holding     chan struct{}
	received    chan struct{}
}

// Start listens on addr ("127.0.0.1:0" for any free port).
func Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, Addr: ln.Addr().String(), reject: map[string]bool{}, received: make(chan struct{}, 1024), holding: make(chan struct{}, 16)}
	tcp := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = tcp.IP.String(), tcp.Port
	s.srv = smtp.NewServer(&backend{s})
	s.srv.Domain = "mx.test"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Reject makes the server refuse a recipient with 550.
func (s *Server) Reject(addr string) {
	s.mu.Lock()
	s.reject[strings.ToLower(addr)] = true
	s.mu.Unlock()
}

// Hold makes the next messages' DATA wait, unanswered, until Release.
// With accept, a held message is stored first (the server has taken it
// but the client has not heard so); without, it is dropped on Release.
// Holding signals each message that starts waiting.
func (s *Server) Hold(accept bool) {
	s.mu.Lock()
	s.hold, s.holdAccepts = make(chan struct{}), accept
	s.mu.Unlock()
}

// Holding is told each time a message starts waiting in Hold.
func (s *Server) Holding() <-chan struct{} { return s.holding }

// Release lets held messages through (they are then dropped, unanswered
// clients having gone).
func (s *Server) Release() {
	s.mu.Lock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
	s.mu.Unlock()
}

// Received is told each time a message is accepted.
func (s *Server) Received() <-chan struct{} { return s.received }

// Messages returns the accepted messages.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message{}, s.msgs...)
}

type backend struct{ s *Server }

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	bad := x.s.reject[strings.ToLower(to)]
	x.s.mu.Unlock()
	if bad {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	hold, accept := x.s.hold, x.s.holdAccepts
	x.s.mu.Unlock()
	if hold != nil && !accept {
		x.s.holding <- struct{}{}
		<-hold
		return errors.New("held message dropped")
	}
	m := Message{From: x.from, To: x.to, Data: data}
	if pm, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
		m.Header = pm.Header
		m.Body, _ = io.ReadAll(pm.Body)
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, m)
	x.s.mu.Unlock()
	select {
	case x.s.received <- struct{}{}:
	default:
	}
	if hold != nil {
		x.s.holding <- struct{}{}
		<-hold
	}
	return nil
}
