"""Payment providers: the sandbox the demo and tests pay through, WeChat Pay and Alipay
notification checks (`base.py` is the interface the hub relies on)."""
