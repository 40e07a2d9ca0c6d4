/* Fixed test keys for the fuzz harnesses (generated once with openssl;
 * they protect nothing). Also read by make_corpus.py for PEM seeds. */
#ifndef CJWT_FUZZ_KEYS_H
#define CJWT_FUZZ_KEYS_H

static const char FUZZ_RSA_PRIVATE_PEM[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCwZGWK1q4U3oOh\n"
    "UsnE6ZjLdqN0feVx6s6xvRIIMIpHtrqLSD9HeBzrIzb4SFpgaTOLiyBJ6URRJPS5\n"
    "/RDF11gXG9RLRdByrwqd78l9bWYuDocxXBcIq6w5rUQ2nnRVBzxTwC8OHlPmZZlr\n"
    "oLf5f4+Bm/58ux8yoGU8OHL44RTilO/TmG8HbVNwPdr9mwJXaWu4LObIB7Ivjs4H\n"
    "w95Ac4hYXfo/rmwaUnNQ8L2DEVODkHUXanwJ45RyAKE4jFcNMfyzJvmZ8KMvH6vY\n"
    "yapnVnOlRgxnVrQmBwhQ47U8apBqFy9tjfLQUKUyAwaDwBrp+cKgk5TIz7b7cWh3\n"
    "ryYcNZHBAgMBAAECggEACZ68G/2X2msFTknT18Gus+AJS5vnJNabxb1MS7aMABvC\n"
    "4kBDNTxjhV5zC8j0ZuAt770benR2pZ9ImpEm9kdHlmEN67oHw41w3Iq8mDLceQQR\n"
    "UvuVBQPJ3Y5p0znCmfWOUHoBhvlX9Y+Sdbh6+ChBFR5DG53f9nSheM6SVKj/6NiD\n"
    "xDFKT9OTe1pQQqjZW88SXztgevPmHTY5rDKOcB6ulI5w8OEZkRt704ogAdHm/P6J\n"
    "LmQRo5wRQwDtaRENHZwqkE336fQku9eUfNtJNC9L60s98c43YfdxQh3APptOzN/J\n"
    "Phvs/dSbpDIa/BX6lpfUOedWkPv87iMs7jkE31ySrQKBgQDuRJ6QuarmXADQZpxA\n"
    "xWBP3etEZoPBoxytc0hertITDWxwAX0efJz/TUcqhsCZ42CkRV9geTTSqXU8Feb6\n"
    "+tuS7TDDyFsZ/ku0nJPvzk3AF2onWpKkCC217jNOODgEbF94/m8vx9vxi06gLjsd\n"
    "w4XNw5lcLTOgFR6nV3mhXAkzDQKBgQC9hPHYoxtXpp2U5YW6qla8UiwGTstlqbKU\n"
    "JmF9Q6j23D98ALNyYTyzatJOf+l1NwGNZGx6QaY5n0af9N0Ip5Sfot0uG1oli7IV\n"
    "CPrCthPHFTvMn3T+wLKA9FWqXtndpYsC4bSga6pCm5FGABNKyOsvxlJo2+NKDDjt\n"
    "5dJZX5M8hQKBgFMLg6C5tcEYbAg221sP8COmG2v5tw50hXhG6ABoOjv9v7/CJRPN\n"
    "JwMsshM2aEa6o2Jd84IyfKC4A25vy9PKP2GUXhy+5lHG+if3MvCwHRVIk+0neljF\n"
    "qPjyDtvCaHPSOex38dTbeeNURJE7y8rx7N7sv7UK5CV1dvuoV3JQG7y5AoGBAIdo\n"
    "eoenmjyY/hRJna/OTuSE7ZGgMLE1ezNg7NzcP9gJa46EzbHWidFDbHnL6JjoMUK9\n"
    "0sfTKhoXlBVrlZW+bnFUoyVzQ4h59EYVQV1nTGA86pn8AFKYibGbYa210YIM6nKn\n"
    "oy/PXTnz/ur92MrhHTDoSS9ElHPuoapQP2e94uwlAoGAMsb0l2O0UyUtDKrO3oAB\n"
    "6+1+S8KRjZDHGFKukV/FJQV6aV6qk+HL+4uY70hC21oadnBGL1LkkNBk10WPz0Dv\n"
    "0YgnZqlh6o9TxvkzyFl0Sx5rD80qhsh7htEK/atpQj8NYjO3yCXdgfinbivaKKKJ\n"
    "A0kI7jqKVNRy/aAABbrSfsM=\n"
    "-----END PRIVATE KEY-----\n";

static const char FUZZ_RSA_PUBLIC_PEM[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsGRlitauFN6DoVLJxOmY\n"
    "y3ajdH3lcerOsb0SCDCKR7a6i0g/R3gc6yM2+EhaYGkzi4sgSelEUST0uf0QxddY\n"
    "FxvUS0XQcq8Kne/JfW1mLg6HMVwXCKusOa1ENp50VQc8U8AvDh5T5mWZa6C3+X+P\n"
    "gZv+fLsfMqBlPDhy+OEU4pTv05hvB21TcD3a/ZsCV2lruCzmyAeyL47OB8PeQHOI\n"
    "WF36P65sGlJzUPC9gxFTg5B1F2p8CeOUcgChOIxXDTH8syb5mfCjLx+r2MmqZ1Zz\n"
    "pUYMZ1a0JgcIUOO1PGqQahcvbY3y0FClMgMGg8Aa6fnCoJOUyM+2+3Fod68mHDWR\n"
    "wQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

static const char FUZZ_EC_PRIVATE_PEM[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtq9gOFZAzvZkCodT\n"
    "ffY+fZRlj9pW74HWA2PlUIlQnd2hRANCAAQPkigWWZ5Wj/0Jp+wP2PP7NhiZop0v\n"
    "vC+gZdmhGH4cqhs4ezJTLaLC+Qmma8qsGRLywMxOzwBgCYinM3C6GO/W\n"
    "-----END PRIVATE KEY-----\n";

static const char FUZZ_EC_PUBLIC_PEM[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAED5IoFlmeVo/9CafsD9jz+zYYmaKd\n"
    "L7wvoGXZoRh+HKobOHsyUy2iwvkJpmvKrBkS8sDMTs8AYAmIpzNwuhjv1g==\n"
    "-----END PUBLIC KEY-----\n";

static const char FUZZ_ED25519_PRIVATE_PEM[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIFcCvF3zTYlE3rs+lDRhc30TxfLDl0kZLfJhR9G1NF0G\n"
    "-----END PRIVATE KEY-----\n";

static const char FUZZ_ED25519_PUBLIC_PEM[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEApbYYqP2eziyrvwwV9Mq3VP2VRkyj5hzSGZaAcUDIiAQ=\n"
    "-----END PUBLIC KEY-----\n";

/* secp256k1 (ES256K) and Ed448 keys: the ones of tests/interop/keys.json */
static const char FUZZ_SECP256K1_PRIVATE_PEM[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQgxja8vSE/Pe9pevMfO7eh\n"
    "azu/ghL9+kxMGy85jQS0dqOhRANCAASPKJAGbeD8QWR5tn0z6/q9hgVsumRFaq41\n"
    "05OFuWtCdizHmZG6H7RwXllB0UZv2c0CG1jr7/2PI2QtesxMJumF\n"
    "-----END PRIVATE KEY-----\n";

static const char FUZZ_SECP256K1_PUBLIC_PEM[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEjyiQBm3g/EFkebZ9M+v6vYYFbLpkRWqu\n"
    "NdOThblrQnYsx5mRuh+0cF5ZQdFGb9nNAhtY6+/9jyNkLXrMTCbphQ==\n"
    "-----END PUBLIC KEY-----\n";

static const char FUZZ_ED448_PRIVATE_PEM[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MEcCAQAwBQYDK2VxBDsEOd4O0E2gDaMtvxWrZnE8mXV4sUMKcJjzJgC8G116tJTA\n"
    "jWeyoWnWfpIzlzH5ozmrPxBnO/XZF+wrpQ==\n"
    "-----END PRIVATE KEY-----\n";

static const char FUZZ_ED448_PUBLIC_PEM[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MEMwBQYDK2VxAzoAmm7oqLTb0aBr4+KG+Vw/LcyjD5OyXti7ykI+Orbd1qOhrqu1\n"
    "Z8OCnebBJrZOrA9gTViuHnWTBHcA\n"
    "-----END PUBLIC KEY-----\n";

/* 64 bytes: long enough for HS512 */
static const char FUZZ_HMAC_SECRET[] = "fuzz-secret-0123456789abcdef-0123456789abcdef-0123456789abcdef!!";

#endif
