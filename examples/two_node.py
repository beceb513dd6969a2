"""Back-propagation through the two-node network, one step at a time.

Read this file from top to bottom; run it with ``python examples/two_node.py``.

The network has one input x, one hidden node and one output node:

    z1 = w1·x + b1     a1 = σ(z1)     z2 = w2·a1 + b2     ŷ = σ(z2)     J = ½(ŷ − y)²

where σ(z) = 1 / (1 + e^(−z)) is the sigmoid. We compute the gradients of the
cost J twice: once with the engine (``J.backward()``), once with the formulas
derived by hand from the chain rule, and check that they agree.
"""

from autograd_mini.two_node import TwoNodeNetwork

# ---------------------------------------------------------------------------
# 1. The network and one training example.
#    The parameters are engine Values, labelled "w1", "b1", "w2", "b2".
net = TwoNodeNetwork(w1=0.8, b1=-0.2, w2=-1.2, b2=0.3, cost="squared")
x, y = 1.5, 1.0
print("parameters:", ", ".join(f"{p.label} = {p.data:+.3f}" for p in net.parameters()))
print(f"example:    x = {x}, target y = {y}")

# ---------------------------------------------------------------------------
# 2. The forward pass. `trace` returns every intermediate node of the graph,
#    labelled with the lesson's names, and the cost J at the end.
fwd = net.trace(x, y)
print()
print("forward pass (input → output):")
print(f"  z1 = w1·x + b1  = {fwd.z1.data:+.6f}")
print(f"  a1 = σ(z1)      = {fwd.a1.data:+.6f}")
print(f"  z2 = w2·a1 + b2 = {fwd.z2.data:+.6f}")
print(f"  ŷ  = σ(z2)      = {fwd.y_hat.data:+.6f}")
print(f"  J  = ½(ŷ − y)²  = {fwd.J.data:+.6f}")

# ---------------------------------------------------------------------------
# 3. The backward pass. The engine visits the nodes from J back to the
#    parameters, multiplying local derivatives as it goes (the chain rule).
#    Afterwards every node's .grad is dJ/d(node); in particular the two
#    "deltas" of the lesson are the gradients of the weighted inputs:
#        delta2 = dJ/dz2 = z2.grad        delta1 = dJ/dz1 = z1.grad
fwd.J.backward()

# The same numbers from the hand-derived formulas, with plain floats:
#    delta2 = dJ/dŷ · dŷ/dz2 = (ŷ − y) · ŷ(1 − ŷ)
#    dJ/dw2 = delta2 · a1          dJ/db2 = delta2
#    delta1 = delta2 · w2 · σ'(z1) = delta2 · w2 · a1(1 − a1)
#    dJ/dw1 = delta1 · x           dJ/db1 = delta1
hand = net.hand_gradients(x, y)

print()
print("backward pass (output → input):   engine            hand formula")
rows = [
    ("delta2 = dJ/dz2", fwd.z2.grad, hand["delta2"]),
    ("dJ/dw2 = delta2·a1", net.w2.grad, hand["dJ_dw2"]),
    ("dJ/db2 = delta2", net.b2.grad, hand["dJ_db2"]),
    ("delta1 = delta2·w2·σ'(z1)", fwd.z1.grad, hand["delta1"]),
    ("dJ/dw1 = delta1·x", net.w1.grad, hand["dJ_dw1"]),
    ("dJ/db1 = delta1", net.b1.grad, hand["dJ_db1"]),
]
for name, engine, formula in rows:
    print(f"  {name:<31}{engine:+.12f}   {formula:+.12f}")
    if abs(engine - formula) > 1e-12:
        raise SystemExit(f"the engine and the formula disagree on {name}")

# ---------------------------------------------------------------------------
# 4. Why "back"-propagation?
#    delta1 = delta2 · (w2 · σ'(z1)): the hidden node's error is the output
#    node's error, carried one layer back through the weight w2 and scaled by
#    the slope of the hidden sigmoid. It is proportional to delta2, so delta2
#    must be known first. The error signal therefore flows from the output
#    back toward the input: the opposite direction of the forward pass.
ratio = fwd.z1.grad / fwd.z2.grad
factor = net.w2.data * fwd.a1.data * (1 - fwd.a1.data)
print()
print(f"delta1 / delta2 = {ratio:+.6f}   and   w2·σ'(z1) = {factor:+.6f}")

# ---------------------------------------------------------------------------
# 5. One step of gradient descent: move each parameter against its gradient,
#    p ← p − lr·dJ/dp, and the cost goes down.
net.step(lr=2.0)
print(f"one gradient-descent step (lr = 2): J = {fwd.J.data:.6f} → {net.cost(x, y).data:.6f}")
