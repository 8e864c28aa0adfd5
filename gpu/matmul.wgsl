// matmul: C = A·B (+ bias), strided, for the linear layers' forward and both backward products.
//
//   A(i,kk) = a[aoff + i·sam + kk·sak]   B(kk,j) = b[boff + kk·sbk + j·sbn]   C[coff + i·n + j]
//   forward  z  = x·Wᵀ + bias   (A = x [B,in], B(kk,j) = W[j,kk])
//   backward dx = dz·W          (A = dz, B = W)
//            dW = dzᵀ·x         (A(i,kk) = dz[kk,i], B = x), written into the gradient buffer
// The dimension named by batch_dim (1: m, 2: k) is the batch: its size is Step.n, not Params.
//
// Register-blocked and barrier-free: a thread computes a 4×4 tile of C with 16 accumulators,
// loading 4 values of A and 4 of B per step of kk. Rows and columns past the edge use clamped
// indices and are not stored. Threads: ceil(m/4) · ceil(n/4).
//
// Bindings: 0 Step, 1 Params, 2 a, 3 b, 4 bias source (the parameter buffer), 5 c (out).
struct Params {
  m: u32,
  n: u32,
  k: u32,
  sam: u32,
  sak: u32,
  sbk: u32,
  sbn: u32,
  aoff: u32,
  boff: u32,
  coff: u32,
  bias_off: u32,
  has_bias: u32,
  batch_dim: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<uniform> st: Step;
@group(0) @binding(1) var<uniform> prm: Params;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  var m = prm.m;
  var kdim = prm.k;
  if (prm.batch_dim == 1u) {
    m = st.n;
  } else if (prm.batch_dim == 2u) {
    kdim = st.n;
  }
  let nq = (prm.n + 3u) / 4u;
  let t = flat_id(wid, nwg, lid, 64u);
  if (t >= ((m + 3u) / 4u) * nq) {
    return;
  }
  let i0 = (t / nq) * 4u;
  let j0 = (t % nq) * 4u;
  var ar: vec4<u32>;
  var bc: vec4<u32>;
  for (var q = 0u; q < 4u; q++) {
    ar[q] = prm.aoff + min(i0 + q, m - 1u) * prm.sam;
    bc[q] = prm.boff + min(j0 + q, prm.n - 1u) * prm.sbn;
  }
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var kk = 0u; kk < kdim; kk++) {
    let ak = kk * prm.sak;
    let bk = kk * prm.sbk;
    let bv = vec4<f32>(b[bc[0] + bk], b[bc[1] + bk], b[bc[2] + bk], b[bc[3] + bk]);
    acc0 += a[ar[0] + ak] * bv;
    acc1 += a[ar[1] + ak] * bv;
    acc2 += a[ar[2] + ak] * bv;
    acc3 += a[ar[3] + ak] * bv;
  }
  var bv = vec4<f32>(0.0);
  if (prm.has_bias != 0u) {
    for (var q = 0u; q < 4u; q++) {
      bv[q] = bias[prm.bias_off + min(j0 + q, prm.n - 1u)];
    }
  }
  var accs = array<vec4<f32>, 4>(acc0 + bv, acc1 + bv, acc2 + bv, acc3 + bv);
  for (var r = 0u; r < 4u; r++) {
    if (i0 + r < m) {
      for (var q = 0u; q < 4u; q++) {
        if (j0 + q < prm.n) {
          c[prm.coff + (i0 + r) * prm.n + j0 + q] = accs[r][q];
        }
      }
    }
  }
}
