"""WeChat: placeholder, being implemented (wechatpy gateway with a shared token store)."""


class WechatGateway:
    @classmethod
    def from_config(cls, config, executor):
        return cls()
