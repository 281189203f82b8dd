#!/usr/bin/env python3
"""The scaling estimate of docs/distributed.md, from the parts mpi_bench measures.

Per step on P processes with a global batch of B rows and a gradient of g bytes:
    T(P) = t_row * B / P + t_fix + T_allreduce(g, P)
    T_allreduce = min(ring, recursive doubling)
        ring                = 2 (P - 1) alpha + 2 (P - 1) / P * g / beta
        recursive doubling  = log2(P) * (alpha + g / beta)
    speed-up S = T(1) / T(P), efficiency E = S / P
    the batch for efficiency E at P:  B >= (E P (t_fix + T_ar) - t_fix) / (t_row (1 - E))

    scripts/scaling-estimate.py [--w4-row-us 2.43] [--w5-128-us 3913] [--w5-512-us 13231]
"""
import argparse
import math

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--w4-row-us", type=float, default=2.43, help="W4 full batch: one process's time per row")
p.add_argument("--w5-128-us", type=float, default=3913, help="W5: one process's time per step, batch 128")
p.add_argument("--w5-512-us", type=float, default=13231, help="W5: one process's time per step, batch 512")
a = p.parse_args()

t_row4 = a.w4_row_us * 1e-6
t_row5 = (a.w5_512_us - a.w5_128_us) * 1e-6 / 384
t_fix5 = a.w5_128_us * 1e-6 - 128 * t_row5
g4, g5 = 7850 * 8, 101770 * 8
networks = [("10 GbE, assumed: alpha 25 us, beta 1.1 GB/s", 25e-6, 1.1e9),
            ("InfiniBand HDR100, assumed: alpha 2 us, beta 11 GB/s", 2e-6, 11e9)]


def allreduce(g, P, alpha, beta):
    if P == 1:
        return 0.0
    return min(2 * (P - 1) * alpha + 2 * (P - 1) / P * g / beta, math.log2(P) * (alpha + g / beta))


print(f"W5 from the two batches: t_row {t_row5 * 1e6:.1f} us, t_fix {t_fix5 * 1e6:.0f} us per step")
for name, alpha, beta in networks:
    print(name)
    T1 = t_row4 * 60000
    for P in (2, 8, 64):
        TP = T1 / P + allreduce(g4, P, alpha, beta)
        print(f"  W4 full batch, P = {P:3d}: compute {T1 / P * 1e3:7.2f} ms, allreduce "
              f"{allreduce(g4, P, alpha, beta) * 1e3:6.3f} ms, speed-up {T1 / TP:5.1f}, efficiency {T1 / TP / P:4.0%}")
    P = 2
    while allreduce(g4, P, alpha, beta) < T1 / P:
        P *= 2
    print(f"  W4: the allreduce outweighs the compute from P = {P}")
    P = 64
    for B in (128, 1024, 8192, 32768):
        T1b = t_row5 * B + t_fix5
        TP = t_row5 * B / P + t_fix5 + allreduce(g5, P, alpha, beta)
        print(f"  W5 P = 64, global batch {B:6d}: {TP * 1e3:6.2f} ms per step (allreduce "
              f"{allreduce(g5, P, alpha, beta) * 1e3:.2f}), speed-up {T1b / TP:5.1f}, efficiency {T1b / TP / P:4.0%}")
    E, ta = 0.8, allreduce(g5, P, alpha, beta)
    B = (E * P * (t_fix5 + ta) - t_fix5) / (t_row5 * (1 - E))
    print(f"  W5: 80% efficiency on 64 nodes needs a global batch of {B:.0f} rows ({B / P:.0f} per node)")
