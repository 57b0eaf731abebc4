;; Kernels of our own for tfjs-backend-wasm, on its memory (src/engine/wasmKernels.ts loads them):
;; a batched matrix product (wasmBatchMatMul.ts) and a strided copy (wasmSlices.ts). Compiled by
;; scripts/build-wasm-kernels.ts into wasmKernelsBinary.ts; edit this file, then run
;; `npm run build:wasm-kernels`.
(module
  ;; The wasm backend's own memory: tensors are read and written where tfjs-backend-wasm keeps them.
  (import "tfjs" "memory" (memory 0))

  ;; out[p, i, j] = Σ_k a[p, i, k] · b[p, k, j] for p < batch, i < m, j < n: float32, row-major, `a`,
  ;; `b` and `out` byte offsets, `aStride` and `bStride` elements from one matrix of the batch to the
  ;; next (0 repeats a single matrix for every p). k is summed in blocks of 48, each block's sum
  ;; then added to the output, in float32 without fused multiply-add: the arithmetic of
  ;; tfjs-backend-wasm's slow_batch_matmul, so results are bit for bit the same. Only the loops
  ;; differ: 4 columns a SIMD vector, 16 columns at a time while they last, and the row of `a` read
  ;; once per 16 columns.
  (func (export "batchMatMul")
    (param $a i32) (param $b i32) (param $out i32)
    (param $batch i32) (param $m i32) (param $k i32) (param $n i32)
    (param $aStride i32) (param $bStride i32)
    (local $p i32) (local $i i32) (local $j i32) (local $kk i32) (local $k0 i32) (local $kEnd i32)
    (local $aMat i32) (local $bMat i32) (local $oMat i32) (local $aRow i32) (local $oRow i32) (local $bp i32)
    (local $rowBytes i32)
    (local $x v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $xs f32) (local $ss f32) (local $ts f32)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $p (i32.const 0))
    (block $batchDone
      (loop $batchLoop
        (br_if $batchDone (i32.ge_u (local.get $p) (local.get $batch)))
        (local.set $aMat (i32.add (local.get $a) (i32.shl (i32.mul (local.get $p) (local.get $aStride)) (i32.const 2))))
        (local.set $bMat (i32.add (local.get $b) (i32.shl (i32.mul (local.get $p) (local.get $bStride)) (i32.const 2))))
        (local.set $oMat (i32.add (local.get $out) (i32.shl (i32.mul (local.get $p) (i32.mul (local.get $m) (local.get $n))) (i32.const 2))))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $aRow (i32.add (local.get $aMat) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 2))))
            (local.set $oRow (i32.add (local.get $oMat) (i32.mul (local.get $i) (local.get $rowBytes))))
            (local.set $j (i32.const 0))
            ;; 16 columns at a time
            (block $wideDone
              (loop $wideLoop
                (br_if $wideDone (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $n)))
                (local.set $t0 (v128.const f32x4 0 0 0 0))
                (local.set $t1 (v128.const f32x4 0 0 0 0))
                (local.set $t2 (v128.const f32x4 0 0 0 0))
                (local.set $t3 (v128.const f32x4 0 0 0 0))
                (local.set $k0 (i32.const 0))
                (block $blocksDone
                  (loop $blockLoop
                    (br_if $blocksDone (i32.ge_u (local.get $k0) (local.get $k)))
                    (local.set $kEnd (select (i32.add (local.get $k0) (i32.const 48)) (local.get $k)
                      (i32.lt_u (i32.add (local.get $k0) (i32.const 48)) (local.get $k))))
                    (local.set $s0 (v128.const f32x4 0 0 0 0))
                    (local.set $s1 (v128.const f32x4 0 0 0 0))
                    (local.set $s2 (v128.const f32x4 0 0 0 0))
                    (local.set $s3 (v128.const f32x4 0 0 0 0))
                    (local.set $kk (local.get $k0))
                    (local.set $bp (i32.add (local.get $bMat) (i32.shl (i32.add (i32.mul (local.get $kk) (local.get $n)) (local.get $j)) (i32.const 2))))
                    (loop $kLoop
                      (local.set $x (f32x4.splat (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $kk) (i32.const 2))))))
                      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $x) (v128.load offset=0 (local.get $bp)))))
                      (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $bp)))))
                      (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $x) (v128.load offset=32 (local.get $bp)))))
                      (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $x) (v128.load offset=48 (local.get $bp)))))
                      (local.set $bp (i32.add (local.get $bp) (local.get $rowBytes)))
                      (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
                      (br_if $kLoop (i32.lt_u (local.get $kk) (local.get $kEnd))))
                    (local.set $t0 (f32x4.add (local.get $t0) (local.get $s0)))
                    (local.set $t1 (f32x4.add (local.get $t1) (local.get $s1)))
                    (local.set $t2 (f32x4.add (local.get $t2) (local.get $s2)))
                    (local.set $t3 (f32x4.add (local.get $t3) (local.get $s3)))
                    (local.set $k0 (local.get $kEnd))
                    (br $blockLoop)))
                (local.set $bp (i32.add (local.get $oRow) (i32.shl (local.get $j) (i32.const 2))))
                (v128.store offset=0 (local.get $bp) (local.get $t0))
                (v128.store offset=16 (local.get $bp) (local.get $t1))
                (v128.store offset=32 (local.get $bp) (local.get $t2))
                (v128.store offset=48 (local.get $bp) (local.get $t3))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $wideLoop)))
            ;; 4 columns at a time
            (block $vecDone
              (loop $vecLoop
                (br_if $vecDone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
                (local.set $t0 (v128.const f32x4 0 0 0 0))
                (local.set $k0 (i32.const 0))
                (block $blocksDone
                  (loop $blockLoop
                    (br_if $blocksDone (i32.ge_u (local.get $k0) (local.get $k)))
                    (local.set $kEnd (select (i32.add (local.get $k0) (i32.const 48)) (local.get $k)
                      (i32.lt_u (i32.add (local.get $k0) (i32.const 48)) (local.get $k))))
                    (local.set $s0 (v128.const f32x4 0 0 0 0))
                    (local.set $kk (local.get $k0))
                    (local.set $bp (i32.add (local.get $bMat) (i32.shl (i32.add (i32.mul (local.get $kk) (local.get $n)) (local.get $j)) (i32.const 2))))
                    (loop $kLoop
                      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul
                        (f32x4.splat (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $kk) (i32.const 2)))))
                        (v128.load (local.get $bp)))))
                      (local.set $bp (i32.add (local.get $bp) (local.get $rowBytes)))
                      (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
                      (br_if $kLoop (i32.lt_u (local.get $kk) (local.get $kEnd))))
                    (local.set $t0 (f32x4.add (local.get $t0) (local.get $s0)))
                    (local.set $k0 (local.get $kEnd))
                    (br $blockLoop)))
                (v128.store (i32.add (local.get $oRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $t0))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $vecLoop)))
            ;; the last columns one by one
            (block $scalarDone
              (loop $scalarLoop
                (br_if $scalarDone (i32.ge_u (local.get $j) (local.get $n)))
                (local.set $ts (f32.const 0))
                (local.set $k0 (i32.const 0))
                (block $blocksDone
                  (loop $blockLoop
                    (br_if $blocksDone (i32.ge_u (local.get $k0) (local.get $k)))
                    (local.set $kEnd (select (i32.add (local.get $k0) (i32.const 48)) (local.get $k)
                      (i32.lt_u (i32.add (local.get $k0) (i32.const 48)) (local.get $k))))
                    (local.set $ss (f32.const 0))
                    (local.set $kk (local.get $k0))
                    (local.set $bp (i32.add (local.get $bMat) (i32.shl (i32.add (i32.mul (local.get $kk) (local.get $n)) (local.get $j)) (i32.const 2))))
                    (loop $kLoop
                      (local.set $ss (f32.add (local.get $ss) (f32.mul
                        (f32.load (i32.add (local.get $aRow) (i32.shl (local.get $kk) (i32.const 2))))
                        (f32.load (local.get $bp)))))
                      (local.set $bp (i32.add (local.get $bp) (local.get $rowBytes)))
                      (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
                      (br_if $kLoop (i32.lt_u (local.get $kk) (local.get $kEnd))))
                    (local.set $ts (f32.add (local.get $ts) (local.get $ss)))
                    (local.set $k0 (local.get $kEnd))
                    (br $blockLoop)))
                (f32.store (i32.add (local.get $oRow) (i32.shl (local.get $j) (i32.const 2))) (local.get $ts))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $scalarLoop)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rowLoop)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $batchLoop))))

  ;; Copies `rows` runs of `runBytes` bytes: run r from src + r·srcStride to dst + r·dstStride (byte
  ;; offsets). A slice, a split or a concatenation is a few such calls, each run one memory.copy.
  (func (export "copyRows")
    (param $src i32) (param $dst i32) (param $rows i32) (param $runBytes i32)
    (param $srcStride i32) (param $dstStride i32)
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (memory.copy (local.get $dst) (local.get $src) (local.get $runBytes))
        (local.set $src (i32.add (local.get $src) (local.get $srcStride)))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row)))))
