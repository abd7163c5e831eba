// tlogcheck - the Go side of the transparency-log interoperability test
// (tests/integration/test_interop_tlog.sh), on golang.org/x/mod/sumdb/note
// and sumdb/tlog.
//
//	go run tlogcheck.go DIR
//
// It reads what `tlog_interop gen DIR` wrote and checks, with Go's code:
// the tree hash of every size (roots.txt), the checkpoint's log signature
// (vkey, checkpoint; the witness's cosignature line is unknown to Go's note
// package and so ignored), that checkpoint.bad is refused, every inclusion
// proof (incl.txt) and consistency proof (cons.txt), and that each equals
// the proof Go computes.  It then writes, for `tlog_interop verify DIR`:
// go.roots.txt, go.vkey, go.note (a checkpoint of Go's tree signed by two
// Go keys, only the first of which Rampart is given), go.note.bad,
// go.incl.txt and go.cons.txt.  Exit 0 when all agree.
package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const n = 1000

var dir string

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlogcheck: "+format+"\n", a...)
	os.Exit(1)
}

func read(name string) []byte {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		die("%v", err)
	}
	return b
}

func write(name string, b []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		die("%v", err)
	}
}

func lines(name string) [][]string {
	var out [][]string
	s := bufio.NewScanner(strings.NewReader(string(read(name))))
	s.Buffer(make([]byte, 1<<16), 1<<20)
	for s.Scan() {
		out = append(out, strings.Fields(s.Text()))
	}
	return out
}

func num(s string) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		die("bad number %q", s)
	}
	return v
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

func proof(s string) []tlog.Hash {
	if s == "-" {
		return nil
	}
	var p []tlog.Hash
	for _, x := range strings.Split(s, ",") {
		p = append(p, hash(x))
	}
	return p
}

func join(p []tlog.Hash) string {
	if len(p) == 0 {
		return "-"
	}
	var s []string
	for _, h := range p {
		s = append(s, base64.StdEncoding.EncodeToString(h[:]))
	}
	return strings.Join(s, ",")
}

func equal(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func main() {
	if len(os.Args) != 2 {
		die("usage: tlogcheck DIR")
	}
	dir = os.Args[1]

	// The tree, built with Go's code.
	var stored []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i := int64(0); i < n; i++ {
		data := []byte(fmt.Sprintf("rampart interop entry %d\n", i))
		hs, err := tlog.StoredHashes(i, data, r)
		if err != nil {
			die("%v", err)
		}
		stored = append(stored, hs...)
	}
	roots := make([]tlog.Hash, n+1)
	var goRoots strings.Builder
	for s := int64(1); s <= n; s++ {
		h, err := tlog.TreeHash(s, r)
		if err != nil {
			die("%v", err)
		}
		roots[s] = h
		fmt.Fprintf(&goRoots, "%d %s\n", s, base64.StdEncoding.EncodeToString(h[:]))
	}
	for _, l := range lines("roots.txt") {
		if hash(l[1]) != roots[num(l[0])] {
			die("Rampart's tree hash of size %s differs from Go's", l[0])
		}
	}
	write("go.roots.txt", []byte(goRoots.String()))

	// Rampart's checkpoint, with Go's note package.
	v, err := note.NewVerifier(strings.TrimSpace(string(read("vkey"))))
	if err != nil {
		die("Rampart's vkey: %v", err)
	}
	msg, err := note.Open(read("checkpoint"), note.VerifierList(v))
	if err != nil {
		die("Rampart's checkpoint: %v", err)
	}
	if len(msg.Sigs) != 1 || len(msg.UnverifiedSigs) != 1 {
		die("expected one verified and one unknown signature, got %d and %d", len(msg.Sigs), len(msg.UnverifiedSigs))
	}
	f := strings.Split(msg.Text, "\n")
	if len(f) != 4 || f[0] != "rampart.example/interop" || f[1] != "1000" || hash(f[2]) != roots[n] {
		die("Rampart's checkpoint text is not the tree's: %q", msg.Text)
	}
	if _, err := note.Open(read("checkpoint.bad"), note.VerifierList(v)); err == nil {
		die("Go accepted Rampart's tampered checkpoint")
	}

	// Rampart's proofs, checked and recomputed by Go.
	ni, nc := 0, 0
	var goIncl, goCons strings.Builder
	for _, l := range lines("incl.txt") {
		idx, size, leaf, p := num(l[0]), num(l[1]), hash(l[2]), proof(l[3])
		if err := tlog.CheckRecord(p, size, roots[size], idx, leaf); err != nil {
			die("Rampart's inclusion proof %d in %d: %v", idx, size, err)
		}
		gp, err := tlog.ProveRecord(size, idx, r)
		if err != nil || !equal(gp, p) {
			die("Go's inclusion proof %d in %d differs from Rampart's", idx, size)
		}
		fmt.Fprintf(&goIncl, "%d %d %s %s\n", idx, size, base64.StdEncoding.EncodeToString(stored[tlog.StoredHashIndex(0, idx)][:]), join(gp))
		ni++
	}
	for _, l := range lines("cons.txt") {
		old, size, p := num(l[0]), num(l[1]), proof(l[2])
		if err := tlog.CheckTree(p, size, roots[size], old, roots[old]); err != nil {
			die("Rampart's consistency proof %d to %d: %v", old, size, err)
		}
		gp, err := tlog.ProveTree(size, old, r)
		if err != nil || !equal(gp, p) {
			die("Go's consistency proof %d to %d differs from Rampart's", old, size)
		}
		fmt.Fprintf(&goCons, "%d %d %s\n", old, size, join(gp))
		nc++
	}
	for _, pr := range [][2]int64{{1, 2}, {2, 3}, {13, 999}, {512, 1000}, {1000, 1000}} {
		gp, err := tlog.ProveTree(pr[1], pr[0], r)
		if err != nil {
			die("%v", err)
		}
		fmt.Fprintf(&goCons, "%d %d %s\n", pr[0], pr[1], join(gp))
	}
	write("go.incl.txt", []byte(goIncl.String()))
	write("go.cons.txt", []byte(goCons.String()))

	// A checkpoint of Go's tree, signed by two Go keys.
	text := fmt.Sprintf("go.example/log\n%d\n%s\n", n, base64.StdEncoding.EncodeToString(roots[n][:]))
	var signers []note.Signer
	var vkey string
	for _, name := range []string{"go.example/log", "go.example/other"} {
		skey, vk, err := note.GenerateKey(rand.Reader, name)
		if err != nil {
			die("%v", err)
		}
		s, err := note.NewSigner(skey)
		if err != nil {
			die("%v", err)
		}
		signers = append(signers, s)
		if vkey == "" {
			vkey = vk
		}
	}
	signed, err := note.Sign(&note.Note{Text: text}, signers...)
	if err != nil {
		die("%v", err)
	}
	write("go.vkey", []byte(vkey+"\n"))
	write("go.note", signed)
	bad := append([]byte(nil), signed...)
	bad[len("go.example/log\n")] = '2' // the size 1000 becomes 2000
	write("go.note.bad", bad)
	fmt.Printf("go verified: %d Rampart tree hashes, Rampart's checkpoint, %d inclusion and %d consistency proofs\n", n, ni, nc)
}
