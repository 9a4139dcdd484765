;; fib is a guest that computes Fibonacci numbers by naive recursion, with no
;; loop at all: its time is exponential in the depth of its stack, so fib(60)
;; runs for hours in a few hundred bytes of stack. A host that checks for its
;; deadline only at loop heads never stops it, and never gets its thread back.
;; Build fib.wasm with:
;;
;;	wat2wasm abi/testdata/fib.wat -o abi/testdata/fib.wasm
;;
;; init answers {ok, ok}. handle_call(N, From, State), for a small integer N,
;; first calls the server test with the request fib (which a test can use to
;; learn that the recursion starts), then replies {reply, fib(N), ok}, fib(N)
;; modulo 2^32 as an INTEGER_EXT.
(module
  (import "creo" "call" (func $call (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "\83\77\04test")                           ;; 131, test
  (data (i32.const 32) "\83\77\03fib")                            ;; 131, fib
  (data (i32.const 48) "\83\68\02\77\02ok\77\02ok")               ;; 131, {ok, ok}
  (data (i32.const 64) "\83\68\03\77\05reply\62\00\00\00\00\77\02ok") ;; 131, {reply, 0, ok}

  (func (export "creo_abi_version") (result i32) (i32.const 2))

  ;; creo_alloc hands out one buffer, which holds any small argument.
  (func (export "creo_alloc") (param $size i32) (result i32) (i32.const 1024))

  (func (export "init") (param i32 i32) (result i64)
    (i64.or (i64.shl (i64.const 48) (i64.const 32)) (i64.const 11)))

  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  ;; handle_call's argument starts 131, SMALL_TUPLE 3, then the request:
  ;; SMALL_INTEGER_EXT N.
  (func (export "handle_call") (param $ptr i32) (param $len i32) (result i64)
    (local $f i32)
    (if (i32.ne (i32.load8_u offset=3 (local.get $ptr)) (i32.const 97))
      (then (unreachable)))
    (drop (call $call (i32.const 16) (i32.const 7) (i32.const 32) (i32.const 6)
                      (i32.const -1) (i32.const 128) (i32.const 64)))
    (local.set $f (call $fib (i32.load8_u offset=4 (local.get $ptr))))
    ;; INTEGER_EXT is big-endian, at 75.
    (i32.store8 (i32.const 75) (i32.shr_u (local.get $f) (i32.const 24)))
    (i32.store8 (i32.const 76) (i32.shr_u (local.get $f) (i32.const 16)))
    (i32.store8 (i32.const 77) (i32.shr_u (local.get $f) (i32.const 8)))
    (i32.store8 (i32.const 78) (local.get $f))
    (i64.or (i64.shl (i64.const 64) (i64.const 32)) (i64.const 19))))
