// Command serve serves the built site (dist/) for development and tests, and copies the verified
// MNIST files into it for build.sh.
//
//	go run ./cmd/serve [-dir dist] [-addr 127.0.0.1:8080]
//	go run ./cmd/serve -copy-mnist dist/data
//	go run ./cmd/serve -gzip-size FILE...   (prints raw and gzip sizes, for build.sh)
package main

import (
	"flag"
	"fmt"
	"github.com/lenetlab/lenetlab/nncore/arch"
	"log"
	"net/http"
	"os"

	"github.com/lenetlab/lenetlab/cmd/serve/site"
)

func main() {
	dir := flag.String("dir", "dist", "folder to serve")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	copyTo := flag.String("copy-mnist", "", "copy the four verified MNIST .gz files into this folder and exit")
	sizes := flag.Bool("gzip-size", false, "print the raw and gzip-compressed size of each file argument and exit")
	flag.Parse()

	switch {
	case *copyTo != "":
		n, err := site.CopyMNIST("", *copyTo)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("MNIST: 4 files, %s bytes, sha256 verified -> %s\n", arch.Comma(n), *copyTo)
	case *sizes:
		for _, name := range flag.Args() {
			b, err := os.ReadFile(name)
			if err != nil {
				log.Fatal(err)
			}
			z, err := site.Gzip(b)
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("  %-28s %12s bytes raw %12s bytes gzip\n", name, arch.Comma(int64(len(b))), arch.Comma(int64(len(z))))
		}
	default:
		if _, err := os.Stat(*dir); err != nil {
			log.Fatalf("serve: %v (run ./build.sh first)", err)
		}
		log.Printf("serving %s on http://%s/", *dir, *addr)
		log.Fatal(http.ListenAndServe(*addr, site.Handler(*dir)))
	}
}
