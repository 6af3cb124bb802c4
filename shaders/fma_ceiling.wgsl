// The adapter's arithmetic ceiling, for the benchmark (bench/ceiling.ts): vec4 fused
// multiply-adds on registers only, no memory traffic inside the loop, so its rate bounds what
// any float32 kernel on this adapter can reach. Four independent accumulators hide the FMA
// latency (a chain of dependent FMAs would measure latency, not throughput).
//
// Nothing is folded away: the multiplier, addend and trip count come from a uniform, and every
// invocation's sum decides whether it is stored, so the compiler must compute all of them.
// Timing runs store none (written = 0, and the sums are never the sentinel); a check stores
// the first `written` sums to compare with the recurrence computed on the host.

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  iterations: u32,
  written: u32,
  // acc <- acc * multiplier + addend converges to addend / (1 - multiplier): no overflow and
  // no denormals however long it runs.
  multiplier: f32,
  addend: f32,
  sentinel: f32,
}

@group(0) @binding(0) var<storage, read_write> sums: array<vec4<f32>>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m = vec4<f32>(params.multiplier);
  let b = vec4<f32>(params.addend);
  let x = f32(gid.x & 1023u) * 0.0009765625;
  var acc0 = vec4<f32>(x, x + 0.125, x + 0.25, x + 0.375);
  var acc1 = acc0 + vec4<f32>(0.5);
  var acc2 = acc0 + vec4<f32>(1.0);
  var acc3 = acc0 + vec4<f32>(1.5);
  for (var i = 0u; i < params.iterations; i++) {
    acc0 = fma(acc0, m, b);
    acc1 = fma(acc1, m, b);
    acc2 = fma(acc2, m, b);
    acc3 = fma(acc3, m, b);
  }
  let sum = (acc0 + acc1) + (acc2 + acc3);
  if (gid.x < params.written || sum.x == params.sentinel) {
    sums[min(gid.x, arrayLength(&sums) - 1u)] = sum;
  }
}
