;; wasm_echo is guests/echo written by hand, to measure the host with a guest
;; that costs almost nothing: init keeps its argument as the state,
;; handle_call replies with the request, handle_cast drops the message. It
;; skips ETF terms without decoding them. Build wasm_echo.wasm with:
;;
;;	wat2wasm host/testdata/wasm_echo.wat -o host/testdata/wasm_echo.wasm
;;
;; Memory: the results' fixed heads at 16, 32 and 48; the argument buffer at
;; 65536, and each result right after the argument (see creo_alloc).
(module
  (memory (export "memory") 2)
  (data (i32.const 16) "\83\68\02\77\02ok")          ;; 131, {ok,
  (data (i32.const 32) "\83\68\03\77\05reply")       ;; 131, {reply,
  (data (i32.const 48) "\83\68\02\77\07noreply")     ;; 131, {noreply,
  (global $arg i32 (i32.const 65536))

  (func (export "creo_abi_version") (result i32) (i32.const 1))

  ;; creo_alloc returns the argument buffer, with room after it for a result
  ;; as long as the argument and a head: memory grows to arg + 2*size + 16.
  (func (export "creo_alloc") (param $size i32) (result i32)
    (local $need i32) (local $have i32)
    (local.set $need (i32.add (global.get $arg)
      (i32.add (i32.shl (local.get $size) (i32.const 1)) (i32.const 16))))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $need) (local.get $have))
      (then
        (if (i32.eq (memory.grow (i32.shr_u
                (i32.add (i32.sub (local.get $need) (local.get $have)) (i32.const 65535))
                (i32.const 16)))
              (i32.const -1))
          (then (return (i32.const 0))))))
    (global.get $arg))

  ;; u16 and u32 read big-endian integers.
  (func $u16 (param $p i32) (result i32)
    (i32.or (i32.shl (i32.load8_u (local.get $p)) (i32.const 8))
            (i32.load8_u offset=1 (local.get $p))))
  (func $u32 (param $p i32) (result i32)
    (i32.or (i32.shl (call $u16 (local.get $p)) (i32.const 16))
            (call $u16 (i32.add (local.get $p) (i32.const 2)))))

  ;; skipAtom returns the end of the atom at p.
  (func $skipAtom (param $p i32) (result i32)
    (local $tag i32)
    (local.set $tag (i32.load8_u (local.get $p)))
    (if (i32.or (i32.eq (local.get $tag) (i32.const 119)) (i32.eq (local.get $tag) (i32.const 115)))
      (then (return (i32.add (i32.add (local.get $p) (i32.const 2))
                             (i32.load8_u offset=1 (local.get $p))))))
    (if (i32.or (i32.eq (local.get $tag) (i32.const 118)) (i32.eq (local.get $tag) (i32.const 100)))
      (then (return (i32.add (i32.add (local.get $p) (i32.const 3))
                             (call $u16 (i32.add (local.get $p) (i32.const 1)))))))
    (unreachable))

  ;; skip returns the end of the term at p: need counts the terms still to
  ;; skip, which tuples, lists, maps and exports add to.
  (func $skip (param $p i32) (result i32)
    (local $need i32) (local $tag i32)
    (local.set $need (i32.const 1))
    (loop $next
      (local.set $tag (i32.load8_u (local.get $p)))
      (local.set $need (i32.sub (local.get $need) (i32.const 1)))
      (block $done
        ;; SMALL_INTEGER, INTEGER, NEW_FLOAT, FLOAT, NIL
        (if (i32.eq (local.get $tag) (i32.const 97)) (then (local.set $p (i32.add (local.get $p) (i32.const 2))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 98)) (then (local.set $p (i32.add (local.get $p) (i32.const 5))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 70)) (then (local.set $p (i32.add (local.get $p) (i32.const 9))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 99)) (then (local.set $p (i32.add (local.get $p) (i32.const 32))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 106)) (then (local.set $p (i32.add (local.get $p) (i32.const 1))) (br $done)))
        ;; atoms
        (if (i32.or (i32.or (i32.eq (local.get $tag) (i32.const 119)) (i32.eq (local.get $tag) (i32.const 115)))
                    (i32.or (i32.eq (local.get $tag) (i32.const 118)) (i32.eq (local.get $tag) (i32.const 100))))
          (then (local.set $p (call $skipAtom (local.get $p))) (br $done)))
        ;; SMALL_TUPLE, LARGE_TUPLE, LIST (its elements and tail), MAP, EXPORT
        (if (i32.eq (local.get $tag) (i32.const 104))
          (then (local.set $need (i32.add (local.get $need) (i32.load8_u offset=1 (local.get $p))))
                (local.set $p (i32.add (local.get $p) (i32.const 2))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 105))
          (then (local.set $need (i32.add (local.get $need) (call $u32 (i32.add (local.get $p) (i32.const 1)))))
                (local.set $p (i32.add (local.get $p) (i32.const 5))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 108))
          (then (local.set $need (i32.add (local.get $need)
                  (i32.add (call $u32 (i32.add (local.get $p) (i32.const 1))) (i32.const 1))))
                (local.set $p (i32.add (local.get $p) (i32.const 5))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 116))
          (then (local.set $need (i32.add (local.get $need)
                  (i32.shl (call $u32 (i32.add (local.get $p) (i32.const 1))) (i32.const 1))))
                (local.set $p (i32.add (local.get $p) (i32.const 5))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 113))
          (then (local.set $need (i32.add (local.get $need) (i32.const 3)))
                (local.set $p (i32.add (local.get $p) (i32.const 1))) (br $done)))
        ;; STRING, SMALL_BIG: a length, then bytes
        (if (i32.eq (local.get $tag) (i32.const 107))
          (then (local.set $p (i32.add (i32.add (local.get $p) (i32.const 3)) (call $u16 (i32.add (local.get $p) (i32.const 1))))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 110))
          (then (local.set $p (i32.add (i32.add (local.get $p) (i32.const 3)) (i32.load8_u offset=1 (local.get $p)))) (br $done)))
        ;; BINARY, BIT_BINARY, LARGE_BIG, NEW_FUN (whose size counts itself)
        (if (i32.eq (local.get $tag) (i32.const 109))
          (then (local.set $p (i32.add (i32.add (local.get $p) (i32.const 5)) (call $u32 (i32.add (local.get $p) (i32.const 1))))) (br $done)))
        (if (i32.or (i32.eq (local.get $tag) (i32.const 77)) (i32.eq (local.get $tag) (i32.const 111)))
          (then (local.set $p (i32.add (i32.add (local.get $p) (i32.const 6)) (call $u32 (i32.add (local.get $p) (i32.const 1))))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 112))
          (then (local.set $p (i32.add (i32.add (local.get $p) (i32.const 1)) (call $u32 (i32.add (local.get $p) (i32.const 1))))) (br $done)))
        ;; NEW_PID, PID, NEW_PORT, V4_PORT, PORT, REFERENCE: a node, then fixed bytes
        (if (i32.eq (local.get $tag) (i32.const 88))
          (then (local.set $p (i32.add (call $skipAtom (i32.add (local.get $p) (i32.const 1))) (i32.const 12))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 103))
          (then (local.set $p (i32.add (call $skipAtom (i32.add (local.get $p) (i32.const 1))) (i32.const 9))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 89))
          (then (local.set $p (i32.add (call $skipAtom (i32.add (local.get $p) (i32.const 1))) (i32.const 8))) (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 120))
          (then (local.set $p (i32.add (call $skipAtom (i32.add (local.get $p) (i32.const 1))) (i32.const 12))) (br $done)))
        (if (i32.or (i32.eq (local.get $tag) (i32.const 102)) (i32.eq (local.get $tag) (i32.const 101)))
          (then (local.set $p (i32.add (call $skipAtom (i32.add (local.get $p) (i32.const 1))) (i32.const 5))) (br $done)))
        ;; NEWER_REFERENCE, NEW_REFERENCE: a word count, a node, a creation, the words
        (if (i32.eq (local.get $tag) (i32.const 90))
          (then (local.set $p (i32.add (call $skipAtom (i32.add (local.get $p) (i32.const 3)))
                  (i32.add (i32.const 4) (i32.shl (call $u16 (i32.add (local.get $p) (i32.const 1))) (i32.const 2)))))
                (br $done)))
        (if (i32.eq (local.get $tag) (i32.const 114))
          (then (local.set $p (i32.add (call $skipAtom (i32.add (local.get $p) (i32.const 3)))
                  (i32.add (i32.const 1) (i32.shl (call $u16 (i32.add (local.get $p) (i32.const 1))) (i32.const 2)))))
                (br $done)))
        (unreachable))
      (br_if $next (local.get $need)))
    (local.get $p))

  ;; result copies the head of n bytes at head to out, and the parts
  ;; [a, a+alen) and [b, b+blen) after it, and packs out and the length.
  (func $result (param $out i32) (param $head i32) (param $n i32)
                (param $a i32) (param $alen i32) (param $b i32) (param $blen i32) (result i64)
    (memory.copy (local.get $out) (local.get $head) (local.get $n))
    (memory.copy (i32.add (local.get $out) (local.get $n)) (local.get $a) (local.get $alen))
    (memory.copy (i32.add (i32.add (local.get $out) (local.get $n)) (local.get $alen)) (local.get $b) (local.get $blen))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32))
            (i64.extend_i32_u (i32.add (local.get $n) (i32.add (local.get $alen) (local.get $blen))))))

  ;; init({Args}) is {ok, Args}.
  (func (export "init") (param $p i32) (param $len i32) (result i64)
    (call $result (i32.add (local.get $p) (local.get $len)) (i32.const 16) (i32.const 7)
      (i32.add (local.get $p) (i32.const 3)) (i32.sub (local.get $len) (i32.const 3))
      (i32.const 0) (i32.const 0)))

  ;; handle_call({Req, From, State}) is {reply, Req, State}.
  (func (export "handle_call") (param $p i32) (param $len i32) (result i64)
    (local $req i32) (local $from i32) (local $state i32) (local $end i32)
    (local.set $req (i32.add (local.get $p) (i32.const 3)))
    (local.set $from (call $skip (local.get $req)))
    (local.set $state (call $skip (local.get $from)))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (call $result (local.get $end) (i32.const 32) (i32.const 10)
      (local.get $req) (i32.sub (local.get $from) (local.get $req))
      (local.get $state) (i32.sub (local.get $end) (local.get $state))))

  ;; handle_cast({Msg, State}) is {noreply, State}.
  (func (export "handle_cast") (param $p i32) (param $len i32) (result i64)
    (local $state i32) (local $end i32)
    (local.set $state (call $skip (i32.add (local.get $p) (i32.const 3))))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (call $result (local.get $end) (i32.const 48) (i32.const 12)
      (local.get $state) (i32.sub (local.get $end) (local.get $state))
      (i32.const 0) (i32.const 0))))
