;; The memory-read floor of the ranking benchmark (bench/rank.ts): the least work that touches every byte of
;; the candidate matrix once, with the same WebAssembly SIMD loads the kernel uses. Assembled at bench time.
(module
  (import "env" "memory" (memory 1))

  ;; Sum of `bytes` bytes of float32 from `ptr` (bytes a multiple of 64): four f32x4 accumulators, one pass.
  (func (export "sum") (param $ptr i32) (param $bytes i32) (result f32)
    (local $end i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $end (i32.add (local.get $ptr) (local.get $bytes)))
    (block $done
      (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
      (loop $each
        (local.set $a0 (f32x4.add (local.get $a0) (v128.load (local.get $ptr))))
        (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 (local.get $ptr))))
        (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 (local.get $ptr))))
        (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 64)))
        (br_if $each (i32.lt_u (local.get $ptr) (local.get $end)))))
    (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
      (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))

  ;; Copies `bytes` bytes from `src` to `dst` (memory.copy: the engine's memmove).
  (func (export "copy") (param $dst i32) (param $src i32) (param $bytes i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))))
