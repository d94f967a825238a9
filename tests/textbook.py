"""The textbook's ch. 15 example, as printed: the reference numbers every test of the
textbook network checks against.

torch.manual_seed(1); nn.RNN(input_size=5, hidden_size=2): its float32 weights written
out in full, its input X, and the rows it prints for each step.
"""

W_xh = [
    [
        0.36434608697891235,
        -0.3121015429496765,
        -0.13708077371120453,
        0.3318939507007599,
        -0.665696382522583,
    ],
    [
        0.42406412959098816,
        -0.1454697549343109,
        0.35973623394966125,
        0.09829985350370407,
        -0.08658108860254288,
    ],
]
W_hh = [[0.19612377882003784, 0.034882839769124985], [0.2582553029060364, -0.2755602300167084]]
b_xh = [-0.051554277539253235, -0.0636589378118515]
b_hh = [0.1024908497929573, -0.002824766095727682]

X = [[1.0] * 5, [2.0] * 5, [3.0] * 5]

#: Its "Hidden" rows: W_xh x_t + b_xh.
PRINTED_HIDDEN = [[-0.4701929, 0.5863904], [-0.88883156, 1.2364397], [-1.3074702, 1.8864892]]
#: Its "Output" rows: h_t.
PRINTED_OUTPUT = [[-0.3519801, 0.52525216], [-0.68424344, 0.76074266], [-0.8649416, 0.90466356]]
#: h_3 computed in float64 from the same weights.
H3_FLOAT64 = [-0.8649416224, 0.9046635979]
