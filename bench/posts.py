"""Journal posts that read like a learner's: prose, code, math, tables and footnotes.

Each body is assembled from a seeded random choice of sections, so the corpus varies in
length and in which Markdown features it exercises, and is the same on every run.
"""

import random

TOPICS = [
    ("gradient descent", "the learning rate", r"\theta \leftarrow \theta - \eta \nabla L"),
    ("logistic regression", "the log-loss", r"\sigma(z) = \frac{1}{1 + e^{-z}}"),
    ("backpropagation", "the chain rule", r"\frac{\partial L}{\partial w} = \delta a"),
    ("attention", "the softmax over scores", r"\mathrm{softmax}(QK^T / \sqrt{d_k}) V"),
    ("eigenvectors", "the covariance matrix", r"A v = \lambda v"),
    ("Bayes' rule", "the prior", r"p(\theta \mid x) \propto p(x \mid \theta) p(\theta)"),
    ("cross-validation", "the held-out fold", r"\hat{E} = \frac{1}{k} \sum_{i=1}^{k} E_i"),
    ("regularisation", "the weight decay", r"L + \lambda \lVert w \rVert_2^2"),
    ("tokenisation", "the vocabulary size", r"|V| = 32000"),
    ("embeddings", "cosine similarity", r"\cos\theta = \frac{a \cdot b}{|a||b|}"),
]

OPENINGS = [
    "This week I finally sat down with {topic} and worked through it by hand.",
    "I had read about {topic} three times before it clicked; here is what changed.",
    "A short note on {topic}, mostly so I remember where I got stuck.",
    "Notes from reproducing a small experiment on {topic}.",
]

PROSE = [
    "The part that confused me was {detail}: every source writes it slightly differently, "
    "and the notation hides which quantities are vectors and which are scalars.",
    "Writing it out in NumPy first, before touching a framework, made {detail} concrete. "
    "The shapes told me more than the equations did.",
    "I compared my implementation against the library's on a toy dataset of a thousand "
    "points; the numbers agreed to four decimal places once I fixed {detail}.",
    "What I want to try next is to vary {detail} systematically and plot the result, "
    "rather than guessing a value and hoping.",
    "A colleague pointed out that {detail} matters far less than the data does, which is "
    "humbling after an evening of tuning it.",
]

CODE = [
    (
        "python",
        "import numpy as np\n\n"
        "def step(theta, grad, lr=0.1):\n"
        "    return theta - lr * grad\n\n"
        "theta = np.zeros(3)\n"
        "for epoch in range(100):\n"
        "    theta = step(theta, np.random.randn(3))\n"
        "print(theta)",
    ),
    (
        "python",
        "import torch\n"
        "from torch import nn\n\n"
        "model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))\n"
        "loss_fn = nn.CrossEntropyLoss()\n"
        "optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)\n\n"
        "for x, y in loader:\n"
        "    optimizer.zero_grad()\n"
        "    loss = loss_fn(model(x), y)\n"
        "    loss.backward()\n"
        "    optimizer.step()",
    ),
    (
        "bash",
        "python -m venv .venv\n"
        "source .venv/bin/activate\n"
        "pip install -r requirements.txt\n"
        "python train.py --epochs 20 --batch-size 64",
    ),
    (
        "sql",
        "SELECT label, COUNT(*) AS n, AVG(score) AS mean_score\n"
        "FROM predictions\n"
        "WHERE split = 'validation'\n"
        "GROUP BY label\n"
        "ORDER BY n DESC;",
    ),
]

TABLES = [
    "| Learning rate | Epochs | Validation loss |\n"
    "|---:|---:|---:|\n"
    "| 0.1 | 10 | 0.412 |\n"
    "| 0.01 | 20 | 0.388 |\n"
    "| 0.001 | 50 | 0.395 |",
    "| Model | Parameters | Accuracy |\n"
    "|:---|---:|:---:|\n"
    "| Logistic regression | 7,850 | 92.1% |\n"
    "| MLP | 101,770 | 97.8% |\n"
    "| Small CNN | 421,642 | 99.1% |",
]

HEADINGS = [
    "What I expected",
    "Where it went wrong",
    "The derivation",
    "An experiment",
    "Results",
    "What I would do differently",
    "Open questions",
]

TASKS = "- [x] Derive it on paper\n- [x] Implement it in NumPy\n- [ ] Compare with the library"


def post_body(rng: random.Random) -> tuple[str, str]:
    """A title and a Markdown body of roughly 100 to 800 words."""
    topic, detail, tex = rng.choice(TOPICS)
    parts = [rng.choice(OPENINGS).format(topic=topic), "[TOC]"]
    for section, heading in enumerate(rng.sample(HEADINGS, rng.randint(2, 6))):
        parts.append(f"## {heading}")
        paragraphs = rng.sample(PROSE, rng.randint(1, 4))
        parts.extend(paragraph.format(detail=detail) for paragraph in paragraphs)
        feature = rng.randrange(5)
        if feature == 0:
            language, code = rng.choice(CODE)
            parts.append(f"```{language}\n{code}\n```")
        elif feature == 1:
            parts.append(f"The update is ${tex}$, applied once per batch.")
            parts.append(f"$$\n{tex}\n$$")
        elif feature == 2:
            parts.append(rng.choice(TABLES))
        elif feature == 3:
            parts.append(TASKS)
        else:
            parts.append(f"Inline math such as $x_i$ and ${tex}$ sits in the prose.[^{section}]")
            parts.append(f"[^{section}]: The derivation follows the course notes, lecture 4.")
    parts.append(f"Next time: more on {detail}.")
    return f"On {topic}", "\n\n".join(parts)
