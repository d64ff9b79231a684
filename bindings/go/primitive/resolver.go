package primitive

import (
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"

	"github.com/librocketmq-rust/librocketmq-rust/bindings/go/errors"
)

// DEFAULT_NAMESRV_ADDR is v2's default HTTP name-server address.
const DEFAULT_NAMESRV_ADDR = "http://jmenv.tbsite.net:8080/rocketmq/nsaddr"

// NsResolver gives the name-server addresses.
type NsResolver interface {
	Resolve() []string
	Description() string
}

type passthroughResolver struct {
	addr []string
	env  NsResolver
}

// NewPassthroughResolver returns addr as given; a nil addr falls back to env NAMESRV_ADDR.
func NewPassthroughResolver(addr []string) *passthroughResolver {
	return &passthroughResolver{addr: addr, env: NewEnvResolver()}
}

func (r *passthroughResolver) Resolve() []string {
	if r.addr != nil {
		return r.addr
	}
	return r.env.Resolve()
}

func (r *passthroughResolver) Description() string {
	return fmt.Sprintf("passthrough resolver of %v", r.addr)
}

type envResolver struct{}

// NewEnvResolver reads env NAMESRV_ADDR (";"-separated).
func NewEnvResolver() *envResolver { return &envResolver{} }

func (e *envResolver) Resolve() []string {
	if v := os.Getenv("NAMESRV_ADDR"); v != "" {
		return strings.Split(v, ";")
	}
	return nil
}

func (e *envResolver) Description() string { return "env resolver of var NAMESRV_ADDR" }

// StaticResolver is v2's (empty) static resolver type.
type StaticResolver struct{}

// HttpResolver asks an HTTP endpoint for the addresses; the library fetches it
// (SetProducerNameServerDomain), so Resolve returns nothing here.
type HttpResolver struct {
	domain   string
	instance string
}

// NewHttpResolver resolves through the HTTP endpoint domain (default DEFAULT_NAMESRV_ADDR).
func NewHttpResolver(instance string, domain ...string) *HttpResolver {
	d := DEFAULT_NAMESRV_ADDR
	if len(domain) > 0 && domain[0] != "" {
		d = domain[0]
	}
	return &HttpResolver{domain: d, instance: instance}
}

func (h *HttpResolver) Resolve() []string { return NewEnvResolver().Resolve() }

func (h *HttpResolver) Description() string {
	return fmt.Sprintf("passthrough resolver of domain:%v instance:%v", h.domain, h.instance)
}

// Domain is the endpoint URL.
func (h *HttpResolver) Domain() string { return h.domain }

// NamesrvAddr is a checked list of name-server addresses.
type NamesrvAddr []string

// NewNamesrvAddr checks the addresses; one argument is split on ";".
func NewNamesrvAddr(s ...string) (NamesrvAddr, error) {
	if len(s) == 0 {
		return nil, errors.ErrNoNameserver
	}
	ss := s
	if len(ss) == 1 {
		ss = strings.Split(ss[0], ";")
	}
	for _, srv := range ss {
		if err := verifyIP(srv); err != nil {
			return nil, err
		}
	}
	return ss, nil
}

// Check verifies every address.
func (addr NamesrvAddr) Check() error {
	for _, srv := range addr {
		if err := verifyIP(srv); err != nil {
			return err
		}
	}
	return nil
}

var ipRegex = regexp.MustCompile(`((25[0-5]|2[0-4]\d|((1\d{2})|([1-9]?\d)))\.){3}(25[0-5]|2[0-4]\d|((1\d{2})|([1-9]?\d)))`)

func verifyIP(addr string) error {
	if strings.HasPrefix(addr, "http://") || strings.HasPrefix(addr, "https://") {
		return nil
	}
	if strings.Contains(addr, ";") {
		return errors.ErrMultiIP
	}
	if host, _, err := net.SplitHostPort(addr); err == nil && net.ParseIP(host) != nil {
		return nil
	}
	ips := ipRegex.FindAllString(addr, -1)
	if len(ips) == 0 {
		return errors.ErrIllegalIP
	}
	if len(ips) > 1 {
		return errors.ErrMultiIP
	}
	return nil
}

// CheckAddresses is what the constructors run on a resolver's addresses (v2.1.1's checks and
// texts).
func CheckAddresses(r NsResolver) ([]string, error) {
	addrs := r.Resolve()
	if len(addrs) == 0 {
		if h, ok := r.(*HttpResolver); ok {
			return []string{h.domain}, nil
		}
		return nil, fmt.Errorf("new Namesrv failed.: no name server addr found with resolver: %s", r.Description())
	}
	for _, a := range addrs {
		if err := verifyIP(a); err != nil {
			return nil, fmt.Errorf("new Namesrv failed.: %w", err)
		}
	}
	return addrs, nil
}
