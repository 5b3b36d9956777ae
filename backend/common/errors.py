"""One root exception per application; the API translates these to HTTP errors."""


class InfraxError(Exception):
    """Root of every error the services raise on purpose."""


class ConfigError(InfraxError):
    """A settings value, config file or deployment file is missing or wrong."""


class NotFound(InfraxError):
    """A requested entity does not exist."""
