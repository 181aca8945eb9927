{
  "targets": [{
    "target_name": "podlink_sys",
    "sources": ["lib/sys/native/podlink_sys.c"],
    "cflags": ["-O2", "-Wall", "-Wextra", "-Werror", "-std=gnu11"],
    "defines": ["NAPI_VERSION=8"]
  }]
}
