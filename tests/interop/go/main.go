// Interop tool for golang-jwt/jwt/v5: signs tokens for every JWS algorithm
// with the fixed keys in tests/interop/keys.json, or verifies tokens.
//
//	interop sign KEYS.json SUB          -> {"ALG": "token", ...} on stdout
//	interop verify KEYS.json SUB < tokens.json -> {"ALG": "ok" | "error: ...", ...}
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

type entry struct {
	PrivatePEM string `json:"private_pem"`
	PublicPEM  string `json:"public_pem"`
	Secret     string `json:"secret"`
}

var algs = []struct{ alg, key string }{
	{"HS256", "hmac"}, {"HS384", "hmac"}, {"HS512", "hmac"},
	{"RS256", "rsa"}, {"RS384", "rsa"}, {"RS512", "rsa"},
	{"PS256", "rsa"}, {"PS384", "rsa"}, {"PS512", "rsa"},
	{"ES256", "ec256"}, {"ES384", "ec384"}, {"ES512", "ec521"},
	{"EdDSA", "ed25519"},
}

func keys(path string) map[string]entry {
	raw, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var doc struct {
		Keys map[string]entry `json:"keys"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(err)
	}
	return doc.Keys
}

func signingKey(alg string, e entry) (interface{}, error) {
	switch alg[:2] {
	case "HS":
		return []byte(e.Secret), nil
	case "RS", "PS":
		return jwt.ParseRSAPrivateKeyFromPEM([]byte(e.PrivatePEM))
	case "ES":
		return jwt.ParseECPrivateKeyFromPEM([]byte(e.PrivatePEM))
	default:
		return jwt.ParseEdPrivateKeyFromPEM([]byte(e.PrivatePEM))
	}
}

func verifyKey(alg string, e entry) (interface{}, error) {
	switch alg[:2] {
	case "HS":
		return []byte(e.Secret), nil
	case "RS", "PS":
		return jwt.ParseRSAPublicKeyFromPEM([]byte(e.PublicPEM))
	case "ES":
		return jwt.ParseECPublicKeyFromPEM([]byte(e.PublicPEM))
	default:
		return jwt.ParseEdPublicKeyFromPEM([]byte(e.PublicPEM))
	}
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: interop sign|verify KEYS.json SUB")
		os.Exit(2)
	}
	ks, sub := keys(os.Args[2]), os.Args[3]
	out := map[string]string{}
	switch os.Args[1] {
	case "sign":
		now := time.Now()
		for _, a := range algs {
			key, err := signingKey(a.alg, ks[a.key])
			if err != nil {
				out[a.alg] = "error: " + err.Error()
				continue
			}
			t := jwt.NewWithClaims(jwt.GetSigningMethod(a.alg), jwt.MapClaims{
				"sub": sub, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			})
			s, err := t.SignedString(key)
			if err != nil {
				s = "error: " + err.Error()
			}
			out[a.alg] = s
		}
	case "verify":
		var tokens map[string]string
		if err := json.NewDecoder(os.Stdin).Decode(&tokens); err != nil {
			panic(err)
		}
		for _, a := range algs {
			tok, ok := tokens[a.alg]
			if !ok {
				continue
			}
			key, err := verifyKey(a.alg, ks[a.key])
			if err != nil {
				out[a.alg] = "error: " + err.Error()
				continue
			}
			claims := jwt.MapClaims{}
			_, err = jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (interface{}, error) { return key, nil },
				jwt.WithValidMethods([]string{a.alg}), jwt.WithExpirationRequired(), jwt.WithSubject(sub))
			if err != nil {
				out[a.alg] = "error: " + err.Error()
			} else {
				out[a.alg] = "ok"
			}
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: interop sign|verify KEYS.json SUB")
		os.Exit(2)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
