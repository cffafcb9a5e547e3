"""WeChat Official Account (微信公众号) adapter."""
