package main

import (
	"fmt"
	"os"
)

func main() {
	name, _ := os.Hostname()
	fmt.Printf("hello from %s\n", name)
}
