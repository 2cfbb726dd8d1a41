"""leadcard: the intention customer card (意向客户管理卡) of a car showroom, kept honest by the tool."""

__version__ = "0.1.0"
