;; The similarity kernel of nearfeed: dot products of one query with every row of a float32 matrix, in
;; WebAssembly SIMD. Assembled by `npm run build:kernel` (wabt's wat2wasm) into dots-wasm.ts; the unit test
;; test/similarity-kernel.test.ts assembles it again and compares the bytes.
;;
;; The summation order is part of the contract, because dots-js.ts computes the same float32 sums in
;; JavaScript for hosts without WebAssembly SIMD and both must agree to the last bit:
;;   - 16 float32 lanes L[0..15] (four f32x4 accumulators a0..a3, a_k lane l = L[4k + l]), all 0;
;;   - for each block of 16 floats at j: L[t] += row[j + t] * query[j + t]        (t = 0..15)
;;   - for each remaining block of 4 floats at j: L[t] += row[j + t] * query[j + t] (t = 0..3)
;;   - c[l] = (L[l] + L[4 + l]) + (L[8 + l] + L[12 + l])                         (l = 0..3)
;;   - s = (c[0] + c[2]) + (c[1] + c[3])
;;   - for each remaining float at j, in order: s += row[j] * query[j]
;; Every multiply and add is one float32 operation rounded to nearest (no fused multiply-add: relaxed SIMD's
;; fma may or may not fuse depending on the CPU, which would break the bit-for-bit contract).
(module
  (import "env" "memory" (memory 1))

  ;; out[i] = dot(query, row i) for i in [0, rows); rows start at $matrix, `dim` floats each, contiguous.
  ;; All pointers are byte offsets into the imported memory.
  (func (export "dots")
    (param $query i32) (param $matrix i32) (param $rows i32) (param $dim i32) (param $out i32)
    (local $rowBytes i32) (local $bytes16 i32) (local $bytes4 i32)
    (local $row i32) (local $rowEnd i32) (local $end i32) (local $outEnd i32)
    (local $p i32) (local $q i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $s f32)
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $bytes16 (i32.and (local.get $rowBytes) (i32.const -64)))
    (local.set $bytes4 (i32.and (local.get $rowBytes) (i32.const -16)))
    (local.set $outEnd (i32.add (local.get $out) (i32.shl (local.get $rows) (i32.const 2))))
    (local.set $row (local.get $matrix))
    (block $done
      (br_if $done (i32.ge_u (local.get $out) (local.get $outEnd)))
      (loop $eachRow
        (local.set $a0 (v128.const f32x4 0 0 0 0))
        (local.set $a1 (v128.const f32x4 0 0 0 0))
        (local.set $a2 (v128.const f32x4 0 0 0 0))
        (local.set $a3 (v128.const f32x4 0 0 0 0))
        (local.set $p (local.get $row))
        (local.set $q (local.get $query))

        ;; Blocks of 16 floats: four independent accumulators hide the latency of the adds.
        (local.set $end (i32.add (local.get $row) (local.get $bytes16)))
        (block $no16
          (br_if $no16 (i32.ge_u (local.get $p) (local.get $end)))
          (loop $each16
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $q)))))
            (local.set $a1 (f32x4.add (local.get $a1)
              (f32x4.mul (v128.load offset=16 (local.get $p)) (v128.load offset=16 (local.get $q)))))
            (local.set $a2 (f32x4.add (local.get $a2)
              (f32x4.mul (v128.load offset=32 (local.get $p)) (v128.load offset=32 (local.get $q)))))
            (local.set $a3 (f32x4.add (local.get $a3)
              (f32x4.mul (v128.load offset=48 (local.get $p)) (v128.load offset=48 (local.get $q)))))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (local.set $q (i32.add (local.get $q) (i32.const 64)))
            (br_if $each16 (i32.lt_u (local.get $p) (local.get $end)))))

        ;; Remaining blocks of 4 floats, into a0.
        (local.set $end (i32.add (local.get $row) (local.get $bytes4)))
        (block $no4
          (br_if $no4 (i32.ge_u (local.get $p) (local.get $end)))
          (loop $each4
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $q)))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br_if $each4 (i32.lt_u (local.get $p) (local.get $end)))))

        ;; c = (a0 + a1) + (a2 + a3); s = (c0 + c2) + (c1 + c3).
        (local.set $a0 (f32x4.add
          (f32x4.add (local.get $a0) (local.get $a1))
          (f32x4.add (local.get $a2) (local.get $a3))))
        (local.set $a0 (f32x4.add (local.get $a0)
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a0) (local.get $a0))))
        (local.set $s (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0))))

        ;; Remaining floats, one at a time.
        (local.set $rowEnd (i32.add (local.get $row) (local.get $rowBytes)))
        (block $no1
          (br_if $no1 (i32.ge_u (local.get $p) (local.get $rowEnd)))
          (loop $each1
            (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $p)) (f32.load (local.get $q)))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br_if $each1 (i32.lt_u (local.get $p) (local.get $rowEnd)))))

        (f32.store (local.get $out) (local.get $s))
        (local.set $row (local.get $rowEnd))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $eachRow (i32.lt_u (local.get $out) (local.get $outEnd)))))))
