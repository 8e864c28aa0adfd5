// bn0_grad: ∂L/∂γ and ∂L/∂β of bn0 (BatchNorm2d(1) on the input) without the input gradient.
//
// conv1 is a valid convolution, so every element of its output gradient dz [n,co,oy,ox] reaches 25
// input pixels, all inside the image, and the sums BatchNorm's backward pass needs collapse onto
// conv1's weight-gradient sums:
//   ∂L/∂β = Σ_pixels dx = Σ_co (Σ_k w[co,k]) · D[co],            D[co] = Σ dz[·,co,·,·]
//   ∂L/∂γ = Σ_pixels dx·x̂ = Σ_co Σ_k w[co,k] · inv·(R[co,k] − μ·D[co])
// where k = (ky,kx), R[co,k] = Σ dz[n,co,oy,ox]·x0[n,oy+ky,ox+kx] is the weight gradient taken
// against the raw input x0 (tileConv.weightGrad + reduce_chunks into raw), and x̂ = (x0 − μ)·inv
// with bn0's batch statistics. This replaces a full convolution over [n,6,36,36] and a reduction
// over the input by one more weight-gradient pass and this single thread.
//
// Bindings: 0 Params, 1 p (parameters: w at woff), 2 stats (bn0 mean, variance), 3 raw (R then D),
// 4 grads (out: γ at gamma_off, β at beta_off).
struct Params {
  woff: u32,
  cout: u32,
  kk: u32,
  gamma_off: u32,
  beta_off: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> p: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> raw: array<f32>;
@group(0) @binding(4) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(1)
fn main() {
  let mean = stats[0];
  let inv = 1.0 / sqrt(stats[1] + 1e-5);
  let nd = prm.cout * prm.kk; // D follows R in raw
  var dg: f32 = 0.0;
  var db: f32 = 0.0;
  for (var co = 0u; co < prm.cout; co++) {
    let d = raw[nd + co];
    var wsum: f32 = 0.0;
    var s: f32 = 0.0;
    for (var k = 0u; k < prm.kk; k++) {
      let w = p[prm.woff + co * prm.kk + k];
      wsum += w;
      s += w * (raw[co * prm.kk + k] - mean * d);
    }
    dg += s * inv;
    db += wsum * d;
  }
  grads[prm.gamma_off] = dg;
  grads[prm.beta_off] = db;
}
