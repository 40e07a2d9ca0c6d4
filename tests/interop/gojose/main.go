// JWE interop tool for go-jose (github.com/go-jose/go-jose/v4), driven by
// tests/interop/jwe_matrix.py with a batch of cases on stdin (JSON):
//
//	jwe-interop encrypt < [{id, alg, enc, zip, key, plaintext, p2c}]
//	    -> {id: token | {"na": why} | {"error": msg}}
//	jwe-interop decrypt < [{id, alg, enc, key, token}]
//	    -> {id: {"plaintext": text} | {"na": why} | {"error": msg}}
//
// Keys are JWKs (an oct JWK is the secret, or the PBES2 password).
package main

import (
	"encoding/json"
	"fmt"
	"os"

	jose "github.com/go-jose/go-jose/v4"
)

type testCase struct {
	ID        string          `json:"id"`
	Alg       string          `json:"alg"`
	Enc       string          `json:"enc"`
	Zip       bool            `json:"zip"`
	Key       json.RawMessage `json:"key"`
	Plaintext string          `json:"plaintext"`
	P2C       int             `json:"p2c"`
	Token     string          `json:"token"`
}

// go-jose reads OKP JWKs for Ed25519 only: no ECDH-ES on X25519/X448.
func unsupported(c testCase) string {
	var k struct {
		Kty string `json:"kty"`
		Crv string `json:"crv"`
	}
	if json.Unmarshal(c.Key, &k) == nil && k.Kty == "OKP" {
		return "go-jose does not implement ECDH-ES on " + k.Crv
	}
	return ""
}

func key(c testCase) (interface{}, error) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(c.Key); err != nil {
		return nil, err
	}
	if jwk.Key == nil {
		return nil, fmt.Errorf("go-jose read no key from the JWK")
	}
	return jwk.Key, nil
}

func encrypt(c testCase) (interface{}, error) {
	k, err := key(c)
	if err != nil {
		return nil, err
	}
	opts := &jose.EncrypterOptions{}
	if c.Zip {
		opts.Compression = jose.DEFLATE
	}
	e, err := jose.NewEncrypter(jose.ContentEncryption(c.Enc),
		jose.Recipient{Algorithm: jose.KeyAlgorithm(c.Alg), Key: k, PBES2Count: c.P2C}, opts)
	if err != nil {
		return nil, err
	}
	obj, err := e.Encrypt([]byte(c.Plaintext))
	if err != nil {
		return nil, err
	}
	return obj.CompactSerialize()
}

func decrypt(c testCase) (interface{}, error) {
	k, err := key(c)
	if err != nil {
		return nil, err
	}
	obj, err := jose.ParseEncryptedCompact(c.Token, []jose.KeyAlgorithm{jose.KeyAlgorithm(c.Alg)},
		[]jose.ContentEncryption{jose.ContentEncryption(c.Enc)})
	if err != nil {
		return nil, err
	}
	pt, err := obj.Decrypt(k)
	if err != nil {
		return nil, err
	}
	return map[string]string{"plaintext": string(pt)}, nil
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "encrypt" && os.Args[1] != "decrypt") {
		fmt.Fprintln(os.Stderr, "usage: jwe-interop encrypt|decrypt < cases.json")
		os.Exit(2)
	}
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := map[string]interface{}{}
	for _, c := range cases {
		if why := unsupported(c); why != "" {
			out[c.ID] = map[string]string{"na": why}
			continue
		}
		var r interface{}
		var err error
		if os.Args[1] == "encrypt" {
			r, err = encrypt(c)
		} else {
			r, err = decrypt(c)
		}
		if err != nil {
			out[c.ID] = map[string]string{"error": err.Error()}
		} else {
			out[c.ID] = r
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(1)
	}
}
