package evidence

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime/pprof"
	"strings"
	"time"
)

// cpuSplit is the CPU time of a profiled stretch split by who spent it:
// the fakes (every goroutine serving an HTTP request of the fake org or
// the fake IAM, with what the fakes do in their test hooks), the product
// (the goroutine profileCPU runs fn on and every goroutine it starts: the
// engine, the backends' clients, samlmeta on the client side) and the rest
// (garbage collection, other goroutines of the process).
type cpuSplit struct {
	product, fakes, rest time.Duration
}

// productLabel marks, in a CPU profile, the samples of the product.
const productLabel = "voicecert"

// profileCPU runs fn under the CPU profiler, on a goroutine labelled (see
// runtime/pprof.Do; the goroutines it starts inherit the label), and splits
// the samples: a sample whose stack passes through net/http's server
// (conn.serve) is the fakes', one with the label the product's, every
// other one the rest's. The profiler samples at 100 Hz, so a split is good
// to about 10 ms per rotation; sum it over many.
func profileCPU(fn func() error) (cpuSplit, error) {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return cpuSplit{}, err
	}
	var err error
	pprof.Do(context.Background(), pprof.Labels(productLabel, "product"), func(context.Context) { err = fn() })
	pprof.StopCPUProfile()
	if err != nil {
		return cpuSplit{}, err
	}
	return splitProfile(buf.Bytes())
}

// splitProfile decodes a gzipped pprof profile (profile.proto) far enough
// to attribute each sample's CPU time by the function names on its stack.
func splitProfile(gz []byte) (cpuSplit, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return cpuSplit{}, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return cpuSplit{}, err
	}
	type sample struct {
		locs    []uint64
		values  []int64
		labeled []int64 // string indexes of the label keys
	}
	var (
		samples   []sample
		locFuncs  = map[uint64][]uint64{} // location id -> function ids
		funcNames = map[uint64]int64{}    // function id -> string index
		strs      []string
	)
	err = protoFields(raw, func(field int, v uint64, b []byte) error {
		switch field {
		case 2: // Sample
			var s sample
			err := protoFields(b, func(f int, v uint64, b []byte) error {
				switch f {
				case 1:
					s.locs = append(s.locs, packedOr(v, b)...)
				case 2:
					for _, x := range packedOr(v, b) {
						s.values = append(s.values, int64(x))
					}
				case 3: // Label
					return protoFields(b, func(f int, v uint64, _ []byte) error {
						if f == 1 {
							s.labeled = append(s.labeled, int64(v))
						}
						return nil
					})
				}
				return nil
			})
			samples = append(samples, s)
			return err
		case 4: // Location
			var id uint64
			var fns []uint64
			err := protoFields(b, func(f int, v uint64, b []byte) error {
				switch f {
				case 1:
					id = v
				case 4: // Line
					return protoFields(b, func(f int, v uint64, _ []byte) error {
						if f == 1 {
							fns = append(fns, v)
						}
						return nil
					})
				}
				return nil
			})
			locFuncs[id] = fns
			return err
		case 5: // Function
			var id uint64
			var name int64
			err := protoFields(b, func(f int, v uint64, _ []byte) error {
				switch f {
				case 1:
					id = v
				case 2:
					name = int64(v)
				}
				return nil
			})
			funcNames[id] = name
			return err
		case 6: // string_table
			strs = append(strs, string(b))
		}
		return nil
	})
	if err != nil {
		return cpuSplit{}, err
	}
	var out cpuSplit
	for _, s := range samples {
		if len(s.values) < 2 {
			continue
		}
		d := time.Duration(s.values[1]) // the second value is CPU nanoseconds
		side := "rest"
		for _, k := range s.labeled {
			if k >= 0 && int(k) < len(strs) && strs[k] == productLabel {
				side = "product"
			}
		}
		for _, l := range s.locs {
			for _, f := range locFuncs[l] {
				if i := funcNames[f]; i >= 0 && int(i) < len(strs) && strings.HasPrefix(strs[i], "net/http.(*conn).serve") {
					side = "fakes"
				}
			}
		}
		switch side {
		case "fakes":
			out.fakes += d
		case "product":
			out.product += d
		default:
			out.rest += d
		}
	}
	return out, nil
}

// packedOr returns a repeated scalar field's values: v when it was sent
// alone, the varints of b when packed.
func packedOr(v uint64, b []byte) []uint64 {
	if b == nil {
		return []uint64{v}
	}
	var out []uint64
	for len(b) > 0 {
		x, n := uvarint(b)
		if n <= 0 {
			break
		}
		out = append(out, x)
		b = b[n:]
	}
	return out
}

// protoFields calls fn for each field of a protobuf message: its number,
// and its value (varint) or bytes (length-delimited; nil otherwise).
func protoFields(b []byte, fn func(field int, v uint64, b []byte) error) error {
	for len(b) > 0 {
		key, n := uvarint(b)
		if n <= 0 {
			return errors.New("profile: bad field key")
		}
		b = b[n:]
		field, wire := int(key>>3), key&7
		switch wire {
		case 0:
			v, n := uvarint(b)
			if n <= 0 {
				return errors.New("profile: bad varint")
			}
			b = b[n:]
			if err := fn(field, v, nil); err != nil {
				return err
			}
		case 2:
			l, n := uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errors.New("profile: bad length")
			}
			v := b[n : n+int(l)]
			b = b[n+int(l):]
			if err := fn(field, 0, v); err != nil {
				return err
			}
		case 1:
			b = b[min(8, len(b)):]
		case 5:
			b = b[min(4, len(b)):]
		default:
			return fmt.Errorf("profile: wire type %d", wire)
		}
	}
	return nil
}

func uvarint(b []byte) (uint64, int) { return binary.Uvarint(b) }
