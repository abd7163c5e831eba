// tlogpub - checks, with Go's golang.org/x/mod/sumdb/note and sumdb/tlog,
// a checkpoint and a tlog-proof file read from a repository's public/
// folder as `rampart repo publish` wrote them
// (tests/integration/test_interop_tlog.sh).
//
//	go run tlogpub.go VKEY CHECKPOINT PROOF ENTRY
//
// The checkpoint must verify with VKEY (cosignature lines, unknown to Go,
// are ignored); the proof's checkpoint must be that same checkpoint text;
// the proof must show ENTRY (its bytes) at the proof's index.  Prints
// "index I size N" and exits 0, else exits 1.
package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlogpub: "+format+"\n", a...)
	os.Exit(1)
}

func read(p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		die("%v", err)
	}
	return b
}

func hash(s string) tlog.Hash {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		die("bad hash %q", s)
	}
	var h tlog.Hash
	copy(h[:], b)
	return h
}

func main() {
	if len(os.Args) != 5 {
		die("usage: tlogpub VKEY CHECKPOINT PROOF ENTRY")
	}
	v, err := note.NewVerifier(strings.TrimSpace(os.Args[1]))
	if err != nil {
		die("vkey: %v", err)
	}
	cp := read(os.Args[2])
	n, err := note.Open(cp, note.VerifierList(v))
	if err != nil {
		die("checkpoint: %v", err)
	}
	f := strings.Split(n.Text, "\n")
	if len(f) < 4 {
		die("checkpoint text")
	}
	size, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		die("size %q", f[1])
	}
	root := hash(f[2])
	pf := read(os.Args[3])
	head, rest, ok := bytes.Cut(pf, []byte("\n\n"))
	if !ok {
		die("proof: no empty line")
	}
	if !bytes.HasPrefix(cp, []byte(n.Text)) || !bytes.Equal(rest, cp) {
		die("proof: its checkpoint is not the served one")
	}
	l := strings.Split(string(head), "\n")
	if l[0] != "c2sp.org/tlog-proof@v1" || !strings.HasPrefix(l[1], "index ") {
		die("proof: header")
	}
	index, err := strconv.ParseInt(strings.TrimPrefix(l[1], "index "), 10, 64)
	if err != nil {
		die("proof: index")
	}
	var p tlog.RecordProof
	for _, s := range l[2:] {
		p = append(p, hash(s))
	}
	if err := tlog.CheckRecord(p, size, root, index, tlog.RecordHash(read(os.Args[4]))); err != nil {
		die("inclusion: %v", err)
	}
	fmt.Printf("index %d size %d\n", index, size)
}
